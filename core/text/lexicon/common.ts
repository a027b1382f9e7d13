/**
 * Vocabulary that belongs to no one language (digits, codes).
 * Pure data, moved unchanged from the analyser; see {@link Lexicon} for what each group is for.
 * Words are in normalised form (lowercase, apostrophe `'`); inflections a stem covers are optional.
 */

import type { Lexicon } from './types.js';

export const common: Lexicon = {
  // ── Topic vocabulary (compiled into the text model; a deployment lexicon may add to it) ──
  // Synonym concepts of the university FAQ domain, by name: every word or phrase under one name is one concept.
  concepts: {
    'medical-certificate': ['086'],
  },
};
