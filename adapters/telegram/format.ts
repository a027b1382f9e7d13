/**
 * From the model's Markdown-ish text to Telegram HTML that Telegram always accepts, and
 * long answers cut into messages below Telegram's 4096-character limit.
 *
 * Why this shape: a streamed answer is rendered many times while it is half-written, so
 * rendering must never produce broken HTML for *any* prefix — every `<` `>` `&` of the
 * model is escaped, only a whitelist of tags is emitted, and whatever is still open at
 * the end of a (partial) text is closed. Splitting works on the source text, so a part
 * delivered early never changes when more text arrives.
 */

/** Telegram's limit on a message's text after entity parsing, in UTF-16 code units. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Tags a model may write itself, mapped to the tag we emit (attributes are dropped). */
const MODEL_TAGS: Record<string, string> = {
  b: 'b',
  strong: 'b',
  i: 'i',
  em: 'i',
  u: 'u',
  ins: 'u',
  s: 's',
  strike: 's',
  del: 's',
  'tg-spoiler': 'tg-spoiler',
  code: 'code',
  pre: 'pre',
};

/** URL schemes a Markdown link may point to; anything else is shown as text. */
const SAFE_LINK = /^(?:https?:\/\/|tg:\/\/|mailto:)[^\s<>"]+$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^\n`]*$/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+(?=\S)/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?/;

/**
 * Escapes text for Telegram HTML (`<`, `>`, `&`).
 * @example
 * escapeHtml('a < b & c') // 'a &lt; b &amp; c'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Finds the closing delimiter of an emphasis opened at `from`, on the same line, before `to`. */
function findCloser(s: string, delimiter: string, from: number, to: number): number {
  let j = s.indexOf(delimiter, from);
  while (j !== -1 && j + delimiter.length <= to) {
    const before = s[j - 1];
    const after = s[j + delimiter.length];
    const single = delimiter.length === 1;
    const validEnd = !isSpace(before) && (!single || after !== delimiter[0]) && (delimiter[0] !== '_' || !isWordChar(after));
    if (j > from && validEnd) return j;
    j = s.indexOf(delimiter, j + 1);
  }
  return -1;
}

const EMPHASIS: { delimiter: string; tag: string }[] = [
  { delimiter: '**', tag: 'b' },
  { delimiter: '__', tag: 'b' },
  { delimiter: '~~', tag: 's' },
  { delimiter: '||', tag: 'tg-spoiler' },
  { delimiter: '*', tag: 'i' },
  { delimiter: '_', tag: 'i' },
];

/**
 * Renders one line's inline Markdown (and the model's whitelisted tags) between `from`
 * and `to`. Tags opened in the range are closed at its end, so the result nests properly.
 */
function renderInline(s: string, from: number, to: number): string {
  let out = '';
  const open: string[] = [];
  let i = from;
  outer: while (i < to) {
    const c = s[i];
    if (c === '\\' && i + 1 < to && /[\\`*_~|[\]()#>+\-.!<&]/.test(s[i + 1])) {
      out += escapeHtml(s[i + 1]);
      i += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (s[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      let j = s.indexOf(fence, i + run);
      while (j !== -1 && s[j + run] === '`') j = s.indexOf(fence, j + run + 1);
      if (j !== -1 && j + run <= to && j > i + run) {
        let content = s.slice(i + run, j);
        if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ')) content = content.slice(1, -1);
        out += `<code>${escapeHtml(content)}</code>`;
        i = j + run;
        continue;
      }
      out += fence;
      i += run;
      continue;
    }
    for (const { delimiter, tag } of EMPHASIS) {
      if (!s.startsWith(delimiter, i)) continue;
      const next = s[i + delimiter.length];
      if (isSpace(next) || next === delimiter[0]) continue;
      if (delimiter === '_' && isWordChar(s[i - 1])) continue;
      if (delimiter === '*' && s[i + 1] === '*') continue;
      const j = findCloser(s, delimiter, i + delimiter.length, to);
      if (j === -1) continue;
      out += `<${tag}>${renderInline(s, i + delimiter.length, j)}</${tag}>`;
      i = j + delimiter.length;
      continue outer;
    }
    if (c === '[') {
      const link = /^\[([^\]\n]+)\]\(([^)\s]+)\)/.exec(s.slice(i, to));
      if (link) {
        const label = renderInline(s, i + 1, i + 1 + link[1].length);
        out += SAFE_LINK.test(link[2]) ? `<a href="${escapeAttribute(link[2])}">${label}</a>` : `${label} (${escapeHtml(link[2])})`;
        i += link[0].length;
        continue;
      }
    }
    if (c === '<') {
      const tag = /^<(\/?)([a-zA-Z][\w-]*)(?:\s[^<>]*)?\/?>/.exec(s.slice(i, to));
      if (tag) {
        const name = tag[2].toLowerCase();
        const closing = tag[1] === '/';
        const canonical = MODEL_TAGS[name];
        if (name === 'br' && !closing) {
          out += '\n';
          i += tag[0].length;
          continue;
        }
        if (canonical === 'code' || canonical === 'pre') {
          if (closing) {
            i += tag[0].length; // a stray closer of a literal block: drop it
            continue;
          }
          // Inside code everything is literal: take the text up to the matching closer.
          const rest = s.slice(i + tag[0].length, to);
          const end = new RegExp(`</${name}\\s*>`, 'i').exec(rest);
          const content = end ? rest.slice(0, end.index) : rest;
          if (content) out += `<${canonical}>${escapeHtml(content)}</${canonical}>`;
          i += tag[0].length + (end ? end.index + end[0].length : rest.length);
          continue;
        }
        if (canonical) {
          if (!closing) {
            open.push(canonical);
            out += `<${canonical}>`;
          } else {
            const at = open.lastIndexOf(canonical);
            if (at !== -1) {
              // Close what was opened after it too, so tags stay nested.
              while (open.length > at) out += `</${open.pop()}>`;
            }
          }
          i += tag[0].length;
          continue;
        }
      }
    }
    out += escapeHtml(c);
    i++;
  }
  while (open.length) out += `</${open.pop()}>`;
  return dropEmptyTags(out);
}

function dropEmptyTags(html: string): string {
  let previous;
  do {
    previous = html;
    html = html.replace(/<(b|i|u|s|tg-spoiler|code|pre|blockquote)>\s*<\/\1>/g, '');
  } while (html !== previous);
  return html;
}

function renderLine(line: string): string {
  if (RULE.test(line)) return '———';
  const heading = HEADING.exec(line);
  if (heading) {
    const inner = renderInline(heading[1], 0, heading[1].length);
    return inner ? `<b>${inner}</b>` : '';
  }
  const bullet = BULLET.exec(line);
  if (bullet) return `${bullet[1]}• ${renderInline(line, bullet[0].length, line.length)}`;
  return renderInline(line, 0, line.length);
}

function renderLines(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (QUOTE.test(lines[i])) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) quoted.push(lines[i++].replace(QUOTE, ''));
      i--;
      const inner = renderLines(quoted).join('\n');
      out.push(inner.trim() ? `<blockquote>${inner}</blockquote>` : '');
      continue;
    }
    out.push(renderLine(lines[i]));
  }
  return out;
}

/**
 * Renders Markdown-ish model output as Telegram HTML. Safe for any prefix of a streamed
 * answer: the result always parses (escaped text, whitelisted tags, everything closed).
 * Supported: **bold**, *italic*, __bold__, _italic_, ~~strike~~, ||spoiler||, `code`,
 * fenced code blocks (an unclosed fence runs to the end), [links](https://…), # headings,
 * bullets, > quotes, and the model's own <b> <i> <u> <s> <code> <pre> tags.
 * @example
 * renderTelegramHtml('**Вступ** до <script> & ```js\nlet a = 1 <') // '<b>Вступ</b> до &lt;script&gt; &amp; …'
 */
export function renderTelegramHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) out.push(...renderLines(run));
    run = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i]);
    if (!fence) {
      run.push(lines[i]);
      continue;
    }
    flush();
    const marker = fence[1];
    const language = fence[2];
    const code: string[] = [];
    i++;
    while (i < lines.length) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[i]);
      if (close && close[1][0] === marker[0] && close[1].length >= marker.length) break;
      code.push(lines[i]);
      i++;
    }
    const body = code.join('\n');
    if (!body.trim()) continue;
    out.push(/^[\w+#-]+$/.test(language) ? `<pre><code class="language-${language}">${escapeHtml(body)}</code></pre>` : `<pre>${escapeHtml(body)}</pre>`);
  }
  flush();
  return out.join('\n');
}

const ENTITY = /&(?:lt|gt|amp|quot|#\d+|#x[\da-f]+);/gi;

/**
 * The text a user sees for a piece of our HTML: tags removed, entities decoded. Used to
 * resend a frame as plain text when Telegram refuses its HTML, and to measure length.
 * @example
 * htmlToPlainText('<b>a</b> &lt; b') // 'a < b'
 */
export function htmlToPlainText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(ENTITY, (entity) => {
    const name = entity.slice(1, -1).toLowerCase();
    if (name === 'lt') return '<';
    if (name === 'gt') return '>';
    if (name === 'amp') return '&';
    if (name === 'quot') return '"';
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/** A part of a long answer, as source text to render on its own. */
export interface SourcePart {
  /** Source of this part, with code fences closed and reopened across the cut. */
  text: string;
  /**
   * True when more text arriving later cannot change this part (the cut was chosen with
   * enough text after it). A streamer may deliver stable parts before the answer ends.
   */
  stable: boolean;
}

/** How far past the limit we look so that a cut never lands inside a construct. */
const LOOKAHEAD = 240;

/** Ranges (start, end) of inline constructs a cut must not fall into. */
function protectedRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  const patterns = [/`[^`\n]+`/g, /\[[^\]\n]+\]\([^)\s]+\)/g, /<[^<>\n]*>/g, /\*\*[^\n]+?\*\*/g, /__[^\n]+?__/g, /~~[^\n]+?~~/g, /\|\|[^\n]+?\|\|/g];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

function insideAny(position: number, ranges: [number, number][]): boolean {
  return ranges.some(([start, end]) => position > start && position < end);
}

/** Where to cut `text` so the first piece has at most `limit` characters; returns [end of piece, start of rest]. */
function chooseCut(text: string, limit: number): [number, number] {
  let max = limit;
  const code = text.charCodeAt(max - 1);
  if (code >= 0xd800 && code <= 0xdbff) max--; // never split a surrogate pair
  const window = text.slice(0, max + 1);
  const ranges = protectedRanges(text.slice(0, max + LOOKAHEAD));

  const paragraph = window.lastIndexOf('\n\n', max);
  if (paragraph >= max * 0.5) return [paragraph, paragraph + 2];
  const newline = window.lastIndexOf('\n', max);
  if (newline >= max * 0.5) return [newline, newline + 1];
  for (const floor of [0.3, 0]) {
    let best = -1;
    for (const m of window.matchAll(/[.!?…;:](?=[\s"'»)\]]*\s)/g)) {
      const end = m.index + 1;
      if (end <= max && end >= max * floor && !insideAny(end, ranges)) best = end;
    }
    if (best > 0) return [best, best];
    if (floor === 0) break;
  }
  for (let i = max; i > max * 0.3; i--) {
    if (/\s/.test(text[i]) && !insideAny(i, ranges)) return [i, i + 1];
  }
  let hard = max;
  const around = ranges.find(([start, end]) => hard > start && hard < end);
  if (around && around[0] > 0) hard = around[0];
  return [hard, hard];
}

/**
 * Cuts a long answer into parts whose rendered text fits one Telegram message: at a
 * paragraph break if there is one in the second half of the window, else a line break,
 * a sentence end, a space, and only as a last resort mid-word — never inside `code`, a
 * link, a tag or a surrogate pair. Code fences cut in two are closed and reopened.
 * Rendering never makes text longer than its source, so `limit` source characters
 * render to at most `limit` visible characters.
 * @example
 * splitForTelegram(longAnswer).map((p) => renderTelegramHtml(p.text))
 */
export function splitForTelegram(source: string, limit = TELEGRAM_TEXT_LIMIT): SourcePart[] {
  const parts: SourcePart[] = [];
  let rest = source.replace(/\r\n?/g, '\n');
  let reopen = '';
  while (rest.length > limit) {
    const [end, next] = chooseCut(rest, limit);
    const stable = rest.length >= limit + LOOKAHEAD;
    const atLineBreak = rest[end] === '\n';
    let piece = rest.slice(0, end).replace(/\s+$/, '');
    rest = rest.slice(next);
    // A cut inside a line drops the spaces after it; after a line break, indentation is content.
    if (!atLineBreak) rest = rest.replace(/^[ \t]+/, '');
    rest = rest.replace(/^\n+/, '');
    const text = reopen + piece;
    const open = openFence(text);
    if (open) {
      piece = `${text}\n${open.marker}`;
      reopen = `${open.marker}${open.language}\n`;
    } else {
      piece = text;
      reopen = '';
    }
    parts.push({ text: piece, stable });
  }
  if (rest.length || parts.length === 0) parts.push({ text: reopen + rest, stable: false });
  return parts;
}

/** The code fence still open at the end of `text`, if any. */
function openFence(text: string): { marker: string; language: string } | undefined {
  let open: { marker: string; language: string } | undefined;
  for (const line of text.split('\n')) {
    if (!open) {
      const fence = FENCE.exec(line);
      if (fence) open = { marker: fence[1], language: fence[2] };
    } else {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1][0] === open.marker[0] && close[1].length >= open.marker.length) open = undefined;
    }
  }
  return open;
}

/**
 * The visible length of a piece of our HTML, as Telegram counts it (UTF-16 units).
 * @example
 * visibleLength('<b>ab</b> &amp;') // 4
 */
export function visibleLength(html: string): number {
  return htmlToPlainText(html).trim().length;
}
