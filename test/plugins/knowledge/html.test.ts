/**
 * HTML sources: text from a real parser (entities decoded, scripts and styles left out),
 * sections split at headings with their heading path, the page's title and canonical URL.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHtmlPage } from '../../../plugins/knowledge/html.js';
import { KnowledgeIndex } from '../../../plugins/knowledge/knowledge-index.js';
import { loadSources } from '../../../plugins/knowledge/sources.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

describe('HTML pages', () => {
  it('splits by headings, decodes entities and leaves out scripts, styles and the head', async () => {
    const { readFile } = await import('node:fs/promises');
    const page = parseHtmlPage(await readFile(path.join(FIXTURES, 'library.html'), 'utf8'));
    expect(page.title).toBe('Бібліотека СДУ');
    expect(page.url).toBe('https://stepove-university.example/library');
    expect(page.sections.map((s) => s.headings)).toEqual([[], ['Бібліотека'], ['Бібліотека', 'Години роботи'], ['Бібліотека', 'Електронні ресурси'], ['Бібліотека', 'Електронні ресурси', 'Віддалений доступ']]);
    const hours = page.sections[2];
    expect(hours.text).toBe('Читальна зала відкрита з 9:00 до 21:00, у суботу — до 15:00.\n\nНеділя — вихідний.\n\nСанітарний день — остання п\'ятниця місяця.');
    expect(hours.line).toBe(15);
    expect(page.sections[0].text).toBe('Головна'); // the nav, before any heading
    expect(page.sections[1].text).toBe('Наукова бібліотека «Степ» працює для студентів і викладачів.');
    const all = page.sections.map((s) => s.text).join('\n');
    expect(all).not.toContain('цей текст не для читача');
    expect(all).not.toContain('color');
  });

  it('is a source like a Markdown page: passages with heading titles, found by retrieval', async () => {
    const base = await loadSources(['fixtures/*.html'], { configFile: 'test.yaml', configDir: import.meta.dirname, lineOf: () => 1 });
    expect(base.passages.map((p) => p.title)).toContain('Бібліотека СДУ › Бібліотека › Години роботи');
    expect(base.passages.every((p) => p.url === 'https://stepove-university.example/library')).toBe(true);
    const index = KnowledgeIndex.build(base);
    const [best] = index.retrieve('Коли працює читальна зала в суботу?', 3, 0.3);
    expect(best.passage.text).toContain('до 15:00');
    expect(best.passage.file).toMatch(/library\.html$/);
  });
});
