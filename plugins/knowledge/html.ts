/**
 * HTML pages → sections, like Markdown pages: text extracted with a real HTML parser
 * (htmlparser2 — entities decoded, broken markup tolerated), split at `<h1>`…`<h6>`, each
 * section keeping its heading path. Scripts, styles, templates, SVG and the `<head>` (but
 * its `<title>`) are left out; block elements end paragraphs, so long sections still split
 * at paragraph ends. The page's `<title>` and canonical URL (`<link rel="canonical">` or
 * `og:url`, http(s) only) become the page title and URL.
 */
import { Parser } from 'htmlparser2';
import type { PageSection, ParsedPage } from './markdown.js';
import { webUrl } from './web-url.js';

/** Elements whose content is not text a reader sees. */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object', 'canvas']);
/** Elements that end a paragraph. */
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'aside', 'header', 'footer', 'nav', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody',
  'tr', 'blockquote', 'pre', 'figure', 'figcaption', 'address', 'details', 'summary', 'form', 'fieldset', 'hr', 'br',
]);
const HEADING = /^h([1-6])$/;

/**
 * Splits an HTML page into sections by its headings.
 * @example
 * parseHtmlPage('<title>Вступ</title><h2>Вартість</h2><p>30 000 грн на рік.</p>').sections
 * // [{ headings: ['Вартість'], text: '30 000 грн на рік.', line: 1 }]
 */
export function parseHtmlPage(source: string): ParsedPage {
  const newlines: number[] = [];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (index: number) => {
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (newlines[mid] < index) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };

  const sections: PageSection[] = [];
  const stack: { level: number; text: string }[] = [];
  let paragraphs: string[] = [];
  let paragraph = '';
  let bodyLine = 1;
  let hidden = 0;
  let heading: { level: number; text: string } | undefined;
  let inTitle = false;
  let title = '';
  let url: string | undefined;

  const endParagraph = () => {
    const text = paragraph.replace(/\s+/g, ' ').trim();
    if (text) paragraphs.push(text);
    paragraph = '';
  };
  const flush = () => {
    endParagraph();
    if (paragraphs.length) sections.push({ headings: stack.map((h) => h.text), text: paragraphs.join('\n\n'), line: bodyLine });
    paragraphs = [];
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'title') inTitle = true;
        // Only http(s) addresses: the URL becomes a link in clients (see web-url.ts).
        if (name === 'link' && /\bcanonical\b/i.test(attributes.rel ?? '')) url = webUrl(attributes.href) ?? url;
        if (name === 'meta' && attributes.property === 'og:url' && !url) url = webUrl(attributes.content);
        if (HIDDEN.has(name)) {
          hidden++;
          return;
        }
        if (hidden) return;
        const level = HEADING.exec(name);
        if (level) {
          flush();
          heading = { level: Number(level[1]), text: '' };
        } else if (BLOCK.has(name)) endParagraph();
      },
      ontext(text) {
        if (inTitle) title += text;
        if (hidden) return;
        if (heading) heading.text += text;
        else {
          if (!paragraph.trim() && paragraphs.length === 0 && text.trim()) bodyLine = lineAt(parser.startIndex + text.search(/\S/));
          paragraph += text;
        }
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (HIDDEN.has(name)) {
          hidden = Math.max(0, hidden - 1);
          return;
        }
        if (hidden) return;
        if (heading && HEADING.test(name)) {
          const text = heading.text.replace(/\s+/g, ' ').trim();
          if (text) {
            while (stack.length && stack[stack.length - 1].level >= heading.level) stack.pop();
            stack.push({ level: heading.level, text });
          }
          heading = undefined;
        } else if (BLOCK.has(name)) endParagraph();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(source);
  parser.end();
  flush();
  const pageTitle = title.replace(/\s+/g, ' ').trim();
  return { title: pageTitle || undefined, url, sections };
}
