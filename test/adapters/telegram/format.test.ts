/**
 * Markdown-ish → Telegram HTML and splitting, checked against the Bot API stand-in's
 * HTML parser (the same rules Telegram applies), including every prefix of hostile text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToPlainText, renderTelegramHtml, splitForTelegram } from '../../../adapters/telegram/format.js';
import { parseTelegramHtml } from '../../servers/telegram.js';

const HOSTILE = [
  '<script>alert("x")</script> & <b>bold <i>both</b> tail</i> </u> <a href="javascript:x">a</a>',
  '**unclosed bold and `code with <tags> & stuff',
  '```html\n<div class="x">&nbsp;</div>\n',
  '<pre><code class="language-js">let a = b < c && d > e;</code></pre> <code><b>nested</b></code>',
  '|| spoiler ||  ~~strike~~ __under__ _it_ *it* ***both***',
  '[link](https://example.org/?a=1&b=<2>) [bad](javascript:alert(1)) [x](https://e.org "title")',
  '> quote with **bold\n> and more <i>\n\nafter',
  '# Heading with <tag> & **bold**\n- item `a<b`\n* item **b**\n1. one',
  '&amp; &lt; &#x1F600; &bogus; & < > " \'',
  '<b><b><b>deep</b></b> <i>unclosed',
  'emoji 😀 at the end 😀',
];

function expectParses(html: string, source: string): void {
  try {
    parseTelegramHtml(html);
  } catch (err) {
    throw new Error(`rendered HTML does not parse: ${(err as Error).message}\nsource: ${JSON.stringify(source)}\nhtml: ${JSON.stringify(html)}`);
  }
}

describe('renderTelegramHtml', () => {
  it('renders the Markdown a model writes', () => {
    expect(renderTelegramHtml('**Вступ** у 2025 році: *до* `31.07`')).toBe('<b>Вступ</b> у 2025 році: <i>до</i> <code>31.07</code>');
    expect(renderTelegramHtml('# Документи\n- паспорт\n- **ЗНО**')).toBe('<b>Документи</b>\n• паспорт\n• <b>ЗНО</b>');
    expect(renderTelegramHtml('```python\nprint(1 < 2)\n```')).toBe('<pre><code class="language-python">print(1 &lt; 2)</code></pre>');
    expect(renderTelegramHtml('[сайт](https://ksu.ks.ua/?a=1&b=2)')).toBe('<a href="https://ksu.ks.ua/?a=1&amp;b=2">сайт</a>');
    expect(renderTelegramHtml('snake_case_name stays')).toBe('snake_case_name stays');
    expect(renderTelegramHtml('2 * 3 * 4')).toBe('2 * 3 * 4');
  });

  it('escapes whatever the model writes outside the whitelist and keeps tags nested', () => {
    expect(renderTelegramHtml('<script>x</script> a & b')).toBe('&lt;script&gt;x&lt;/script&gt; a &amp; b');
    expect(renderTelegramHtml('<b>bold <i>both</b> tail</i>')).toBe('<b>bold <i>both</i></b> tail');
    expect(renderTelegramHtml('[bad](javascript:alert(1))')).not.toContain('<a');
    expect(renderTelegramHtml('<code><b>x</b></code>')).toBe('<code>&lt;b&gt;x&lt;/b&gt;</code>');
  });

  it('closes what is open in a half-written answer', () => {
    expect(renderTelegramHtml('```js\nlet a = 1')).toBe('<pre><code class="language-js">let a = 1</code></pre>');
    expect(renderTelegramHtml('<b>half <i>way')).toBe('<b>half <i>way</i></b>');
    expect(renderTelegramHtml('**half')).toBe('**half');
  });

  it('produces HTML Telegram accepts for every prefix of hostile text', () => {
    for (const source of HOSTILE) {
      for (let end = 0; end <= source.length; end++) expectParses(renderTelegramHtml(source.slice(0, end)), source.slice(0, end));
    }
  });

  it('produces HTML Telegram accepts for any text (property)', () => {
    const alphabet = fc.constantFrom(...'ab <>/&;*_~|`[]()#->\n!.'.split(''), '<b>', '</b>', '<i>', '</i>', '<code>', '</code>', '<pre>', '```', '**', '&amp;', 'https://x.y', '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (pieces) => {
        const source = pieces.join('');
        const html = renderTelegramHtml(source);
        expectParses(html, source);
        // Rendering never makes the visible text longer than the source.
        expect(parseTelegramHtml(html).text.length).toBeLessThanOrEqual(source.length);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the plain text of a frame for the fallback', () => {
    expect(htmlToPlainText(renderTelegramHtml('**a** < b & `c`'))).toBe('a < b & c');
  });
});

describe('splitForTelegram', () => {
  const paragraph = (i: number) => `Абзац ${i}. ${'Речення про вступ до університету. '.repeat(9).trim()}`;

  it('cuts at paragraph ends, under the limit, losing nothing', () => {
    const source = Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n');
    const parts = splitForTelegram(source, 4096);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(parseTelegramHtml(renderTelegramHtml(part.text)).text.length).toBeLessThanOrEqual(4096);
      expect(part.text).toMatch(/\.$/);
    }
    expect(parts.map((p) => p.text).join('\n\n')).toBe(source);
  });

  it('cuts a paragraph-less text at sentence ends, never inside code or a link', () => {
    const sentence = 'See `code with spaces inside it` and [a link with words](https://example.org/a) here. ';
    const source = sentence.repeat(120).trim();
    const parts = splitForTelegram(source, 1000);
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(1000);
      expect(part.text.split('`').length % 2).toBe(1);
      expect(part.text).toMatch(/\.$/);
      expectParses(renderTelegramHtml(part.text), part.text);
    }
    expect(parts.map((p) => p.text).join(' ')).toBe(source);
  });

  it('closes a code block at the cut and reopens it in the next part', () => {
    const code = Array.from({ length: 200 }, (_, i) => `line_${i} = ${i} < ${i + 1}`).join('\n');
    const parts = splitForTelegram(`Код:\n\`\`\`python\n${code}\n\`\`\`\nКінець.`, 1000);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts.slice(1, -1)) {
      expect(part.text.startsWith('```python\n')).toBe(true);
      expect(part.text.endsWith('\n```')).toBe(true);
    }
    for (const part of parts) expect(renderTelegramHtml(part.text)).toMatch(/<pre><code class="language-python">/);
    const visible = parts.map((p) => parseTelegramHtml(renderTelegramHtml(p.text)).text).join('\n');
    for (let i = 0; i < 200; i++) expect(visible).toContain(`line_${i} = ${i} < ${i + 1}`);
  });

  it('never splits a surrogate pair when it must cut mid-word', () => {
    const source = '😀'.repeat(1500);
    const parts = splitForTelegram(source, 1001);
    for (const part of parts) expect(part.text).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    expect(parts.map((p) => p.text).join('')).toBe(source);
  });

  it('marks parts stable only when more text cannot move their cut', () => {
    const source = Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n');
    const full = splitForTelegram(source, 1000);
    for (let end = 1000; end < source.length; end += 97) {
      const prefix = splitForTelegram(source.slice(0, end), 1000);
      prefix.forEach((part, i) => {
        if (part.stable) expect(part.text).toBe(full[i].text);
      });
    }
  });
});
