/**
 * The «Джерела:» footer of a Telegram answer grounded in documents (`meta.sources`, set by
 * the knowledge plugin): the sources as the answer cites them, [1] first, with their links.
 * Answers the knowledge plugin wrote itself (`source: 'knowledge'`: a refusal, or a quote
 * while the model is down) carry their source line already and get no footer.
 */
import type { ReplyMeta } from '../../core/index.js';

const LABEL: Record<string, string> = { uk: 'Джерела', en: 'Sources', ru: 'Источники' };
/** A footer lists at most this many sources. */
const MOST = 5;

/**
 * The footer text ('' when there is none to show).
 * @example
 * sourcesFooter({ source: 'faq', sources: [{ id: 'pool', title: 'Чи є басейн?', url: 'https://u.example/pool' }] } as ReplyMeta, 'uk')
 * // '\n\nДжерела: [1] Чи є басейн? (https://u.example/pool)'
 */
export function sourcesFooter(meta: ReplyMeta, language = 'uk'): string {
  if (!meta.sources || meta.sources.length === 0 || meta.source === 'knowledge') return '';
  const items = meta.sources.slice(0, MOST).map((s, i) => `[${i + 1}] ${s.title}${s.url ? ` (${s.url})` : ''}`);
  return `\n\n${LABEL[language] ?? LABEL.uk}: ${items.join('; ')}`;
}
