/**
 * The shape of a vocabulary: what the analyser needs to know about words, grouped by
 * purpose. The built-in vocabulary is one {@link Lexicon} per language (`uk.ts`, `ru.ts`,
 * `en.ts`, `common.ts`); a deployment may bring its own, merged over them by
 * {@link mergeLexicons}. Every field is optional: a language names only what it has.
 */

/** Question-word groups of {@link Lexicon.intentWords}. */
export type IntentCue = 'quantity' | 'when' | 'where' | 'who' | 'why' | 'how' | 'what' | 'list' | 'yesno';

/** Word groups by name: lists under one name in several lexicons are one group. */
export type NamedGroups = Record<string, readonly string[]>;

/** A vocabulary (one language's, or a deployment's additions). See the data files for examples. */
export interface Lexicon {
  // Topic vocabulary (compiled into the text model).
  /** Synonym concepts, by name: every word or phrase under one name is one concept. */
  concepts?: NamedGroups;
  /** Months, weekdays, seasons, by name: one concept each. */
  calendar?: NamedGroups;
  /** Named entities, by name; the first word of the first lexicon naming it is the canonical name. */
  entities?: NamedGroups;
  /** Unnamed synonym groups (each inner list one concept), e.g. from a deployment file. */
  synonyms?: readonly (readonly string[])[];
  /** Colloquial or shortened form → standard form («стіпуха» → «стипендія»): the two are one concept. */
  colloquial?: Readonly<Record<string, string>>;
  /** Russian word → Ukrainian word («расписание» → «розклад»): the two are one concept. */
  glossary?: Readonly<Record<string, string>>;
  /** Function words that carry no topic (exact normalised tokens). */
  stopWords?: readonly string[];
  /** Words that may be present on one side only. */
  optionalWords?: readonly string[];
  /** Light verbs of getting and giving: may stay without a partner. */
  lightWords?: readonly string[];
  /** Implied words, by name: `words` may stay unpaired when `impliedBy` is named in both questions. */
  implied?: Readonly<Record<string, { readonly words: readonly string[]; readonly impliedBy: readonly string[] }>>;
  /** Category words and their members, by name (not synonyms). */
  categories?: Readonly<Record<string, { readonly names: readonly string[]; readonly members: readonly string[] }>>;
  /** Degree levels: words and phrases naming each. */
  degreeWords?: Readonly<Partial<Record<'junior-bachelor' | 'bachelor' | 'master' | 'phd' | 'doctor', readonly string[]>>>;
  /** Number words, by value. */
  numberWords?: NamedGroups;

  // Intent cues.
  intentWords?: Readonly<Partial<Record<IntentCue, readonly string[]>>>;
  costCues?: readonly string[];
  moneyCues?: readonly string[];
  durationCues?: readonly string[];
  dateCues?: readonly string[];
  placeCues?: readonly string[];
  infoSeekingWords?: readonly string[];
  wayWords?: readonly string[];
  wayQualifiers?: readonly string[];
  /** Forms of "спосіб" that ask how on their own. */
  wayAskingWords?: readonly string[];
  yesNoOpeners?: readonly string[];
  definitionVerbs?: readonly string[];
  definitionWords?: readonly string[];
  evaluativeWords?: readonly string[];
  /** Hedges skipped when reading a definition question. */
  hedgeWords?: readonly string[];

  // Slot cues.
  negationWords?: readonly string[];
  politeAfterNegation?: readonly string[];
  /** "or" words: a negation right after one, closing the question («… чи ні?», "… or not?"), asks yes or no, it does not negate. */
  alternativeWords?: readonly string[];
  timeStartWords?: readonly string[];
  /** "start", "begin" before a verb: an activity, not a period. */
  activityStartWords?: readonly string[];
  timeEndWords?: readonly string[];
  orderFirstWords?: readonly string[];
  /** Units that "first" opens as the start of a period. */
  dayWords?: readonly string[];
  orderLastWords?: readonly string[];
  relativeThisWords?: readonly string[];
  relativeNextWords?: readonly string[];
  relativePreviousWords?: readonly string[];
  periodWords?: readonly string[];
  periodYearWords?: readonly string[];
  timeUnits?: readonly string[];
  whichWords?: readonly string[];
  untilWords?: readonly string[];
  fromWords?: readonly string[];
  thousandWords?: readonly string[];
  speakerWords?: readonly string[];
  addresseeWords?: readonly string[];
  modalityWords?: NamedGroups;
  sourcePrepositions?: readonly string[];
  targetPrepositions?: readonly string[];

  // Follow-ups and pointers.
  anaphoraWords?: readonly string[];
  continuationOpeners?: readonly string[];
  continuationPhrases?: readonly string[];
  demonstratives?: readonly string[];
  pointers?: readonly string[];
  sharedReferents?: readonly string[];

  // English grammar.
  articles?: readonly string[];
  copulas?: readonly string[];
  prepositions?: readonly string[];
  /** Prepositions that may open a fronted phrase before the question proper ("In the library, is there …"). */
  frontingPrepositions?: readonly string[];
  relationWords?: readonly string[];
  contractions?: NamedGroups;
  irregularNegations?: NamedGroups;
  whIs?: readonly string[];
  shoutedAuxiliaries?: readonly string[];
  irregularParticiples?: readonly string[];
  commonAdjectives?: readonly string[];

  // Language detection.
  /** Frequent words only this language spells so (or, for English, common words beyond the stop-words). */
  languageMarkers?: readonly string[];
}

/** Every list field of a {@link Lexicon}. */
export type LexiconListField = { [K in keyof Lexicon]-?: Lexicon[K] extends readonly string[] | undefined ? K : never }[keyof Lexicon];
