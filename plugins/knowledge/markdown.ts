/**
 * Markdown and plain text → passages. A page is split at its headings (ATX `#` and setext
 * underlines; not inside fenced code); each section keeps its heading path as its title
 * («Вступ › Вартість навчання»). A section longer than the limit is split at paragraph
 * ends, a paragraph longer than the limit at sentence ends. Optional front matter
 * (`---` … `---` at the top) may set `title` and `url`.
 */
import YAML from 'yaml';
import { webUrl } from './web-url.js';

/** One section (or part of one) of a page. */
export interface PageSection {
  /** Heading path, outermost first. */
  headings: string[];
  text: string;
  /** 1-based line where the section's text starts. */
  line: number;
}

export interface ParsedPage {
  title?: string;
  url?: string;
  sections: PageSection[];
}

const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** Cleans inline Markdown a reader (or a model) does not need: links keep their text, emphasis marks go. */
export function plainInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1');
}

function frontMatter(lines: string[]): { title?: string; url?: string; skip: number } {
  if (lines[0]?.trim() !== '---') return { skip: 0 };
  const end = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (end < 0) return { skip: 0 };
  try {
    const data = YAML.parse(lines.slice(1, end).join('\n')) as Record<string, unknown> | null;
    return {
      title: typeof data?.title === 'string' ? data.title : undefined,
      url: webUrl(data?.url),
      skip: end + 1,
    };
  } catch {
    return { skip: 0 };
  }
}

/**
 * Splits a page into sections by headings.
 * @example
 * parsePage('# Вступ\n\n## Вартість\n\n30 000 грн на рік.').sections
 * // [{ headings: ['Вступ', 'Вартість'], text: '30 000 грн на рік.', line: 5 }]
 */
export function parsePage(source: string): ParsedPage {
  // HTML comments (sample markers, editor notes) are dropped, keeping line numbers.
  const clean = source.replace(/\r\n?/g, '\n').replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ''));
  const lines = clean.split('\n');
  const front = frontMatter(lines);
  const sections: PageSection[] = [];
  const stack: { level: number; text: string }[] = [];
  let body: string[] = [];
  let bodyLine = front.skip + 1;
  let fenced = false;

  const flush = () => {
    const text = body.join('\n').trim();
    if (text) sections.push({ headings: stack.map((h) => h.text), text, line: bodyLine });
    body = [];
  };
  const open = (level: number, text: string, nextLine: number) => {
    flush();
    while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
    stack.push({ level, text: plainInline(text.trim()) });
    bodyLine = nextLine;
  };

  for (let i = front.skip; i < lines.length; i++) {
    const line = lines[i];
    if (FENCE.test(line)) fenced = !fenced;
    if (!fenced) {
      const atx = ATX.exec(line);
      if (atx && atx[2].trim()) {
        open(atx[1].length, atx[2], i + 2);
        continue;
      }
      // Setext: a text line underlined with === (level 1) or --- (level 2).
      const next = lines[i + 1];
      if (next !== undefined && line.trim() && !/^\s*[-*+>]|^\s*\d+[.)]\s/.test(line) && /^ {0,3}(=+|-+)\s*$/.test(next) && (i === front.skip || !lines[i - 1].trim())) {
        open(next.trim().startsWith('=') ? 1 : 2, line, i + 3);
        i++;
        continue;
      }
    }
    if (body.length === 0 && !line.trim()) {
      bodyLine = i + 2;
      continue;
    }
    body.push(line);
  }
  flush();
  return { title: front.title, url: front.url, sections };
}

/** Sentence ends: . ! ? … followed by a space and a capital letter, digit or quote. */
const SENTENCE_END = /(?<=[.!?…])\s+(?=[\p{Lu}\d«"„(])/u;

/**
 * Splits text into sentences (a light rule: a stop mark, space, then a capital or a digit).
 * @example
 * splitSentences('Вступ триває до 31 липня. Документи подають онлайн.') // ['Вступ триває до 31 липня.', 'Документи подають онлайн.']
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter(Boolean);
}

function packPieces(pieces: string[], maxChars: number, joiner: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + joiner.length + piece.length > maxChars) {
      parts.push(current);
      current = '';
    }
    current = current ? `${current}${joiner}${piece}` : piece;
  }
  if (current) parts.push(current);
  return parts;
}

/** Splits one piece that is still too long at spaces. */
function hardSplit(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(' ', maxChars);
    if (cut < maxChars / 2) cut = maxChars;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

/**
 * Splits a section's text into parts of at most `maxChars`, at paragraph ends where it can,
 * else at sentence ends, else at spaces.
 * @example
 * splitLongText('Абзац один.\n\nАбзац два.', 15) // ['Абзац один.', 'Абзац два.']
 */
export function splitLongText(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const pieces: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph.length <= maxChars) pieces.push(paragraph);
    else for (const sentenceGroup of packPieces(splitSentences(paragraph), maxChars, ' ')) pieces.push(...hardSplit(sentenceGroup, maxChars));
  }
  return packPieces(pieces, maxChars, '\n\n');
}
