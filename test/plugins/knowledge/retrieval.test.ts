/**
 * Retrieval and FAQ verification on the shipped sample, and `kobza eval knowledge` on its
 * labelled questions: the figures the issue asks for on the tuning set, and (as a
 * regression guard) the figures measured on the three held-out sets, tuned on since.
 */
import { describe, expect, it } from 'vitest';
import { abstentionReason } from '../../../plugins/knowledge/abstention.js';
import { HybridIndex } from '../../../plugins/knowledge/retrieval.js';
import { KnowledgeIndex } from '../../../plugins/knowledge/knowledge-index.js';
import { loadSources } from '../../../plugins/knowledge/sources.js';
import { runKobzaInProcess } from '../../helpers/cli.js';

async function sample(): Promise<KnowledgeIndex> {
  const base = await loadSources(['knowledge/faq.*.yaml', 'knowledge/pages/*.md'], { configFile: 'test.yaml', configDir: process.cwd(), lineOf: () => 1 });
  return KnowledgeIndex.build(base);
}

describe('FAQ verification', () => {
  it('serves the entry for paraphrases, transliteration and Russian, and refuses near-misses', async () => {
    const index = await sample();
    expect(index.matchFaq('Чи є у вас басейн?')?.entry.id).toBe('pool');
    expect(index.matchFaq('скільки платити за общагу')?.entry.id).toBe('dorm-cost');
    expect(index.matchFaq('Сколько стоит общежитие?')?.entry.id).toBe('dorm-cost');
    expect(index.matchFaq('How much does the dormitory cost?')?.entry.id).toBe('en-dorm-cost');
    expect(index.matchFaq('Чи є в університеті обсерваторія?')).toBeUndefined();
    expect(index.matchFaq('Скільки коштує навчання в магістратурі?')).toBeUndefined(); // the FAQ answers the bachelor's fee
    expect(index.matchFaq('Де знаходиться бібліотека?')).toBeUndefined(); // not "where is the dorm"
    // An English question is not served a Ukrainian-only answer as it is.
    expect(index.matchFaq('Where is the dormitory?')).toBeUndefined();
  });

  it('answers a repeated question as the first time, from what it remembered', async () => {
    const index = await sample();
    const first = index.matchFaq('Чи є у вас басейн?');
    expect(index.matchFaq('Чи є у вас басейн?')).toBe(first);
    expect(first?.entry.id).toBe('pool');
    expect(index.matchFaq('Чи є в університеті обсерваторія?')).toBeUndefined();
    expect(index.matchFaq('Чи є в університеті обсерваторія?')).toBeUndefined();
    const passages = index.retrieve('Коли зимова сесія?', 4, 0.4);
    expect(index.retrieve('Коли зимова сесія?', 4, 0.4)).toBe(passages);
    // Shared by every asker, so nobody may change it; other settings are searched anew.
    expect(Object.isFrozen(passages)).toBe(true);
    expect(index.retrieve('Коли зимова сесія?', 1, 0.4)).toEqual(passages.slice(0, 1));
    expect(index.retrieve('Коли зимова сесія?', 4, 0.4)).toEqual(passages);
  });
});

describe('hybrid retrieval', () => {
  it('ranks the passage that answers first, explains why, and finds nothing for out-of-scope questions', async () => {
    const index = await sample();
    const [best] = index.retrieve('Коли зимова сесія?', 4, 0.4);
    expect(best.passage.id).toBe('pages/student-life.md#сесії-та-канікули');
    expect(best.matched).toEqual(['зимова', 'сесія']);
    expect(best.score).toBeGreaterThan(0.8);
    expect(index.retrieve('How do I cook borscht?', 4, 0.4)).toEqual([]);
    expect(index.retrieve('Чи є в університеті обсерваторія?', 4, 0.4)).toEqual([]);
  });

  it('lets an unseen verb ask how without sinking the passage, and marks down a passage that lacks the specific word or names another degree', () => {
    const documents = [
      { title: 'Спорткомплекс', text: 'Працюють секції з волейболу та баскетболу.' },
      { title: 'Факультети', text: 'В університеті п’ять факультетів: економіки, філології, біології, права, інформаційних технологій.' },
      { title: 'Гуртожиток', text: 'Для поселення потрібна медична довідка.' },
      { title: 'Вартість', text: 'Навчання на бакалавраті коштує 38 000 грн на рік.' },
      ...Array.from({ length: 40 }, (_, i) => ({ title: `Розділ ${i}`, text: `Бібліотека працює до ${i + 10}:00, читальна зала на поверсі ${i}.` })),
    ];
    const index = new HybridIndex(documents);
    // «займатися» is nowhere in the corpus: a verb, it weighs as an optional word.
    const [sport] = index.search('Чи можна займатися баскетболом?', 1);
    expect(sport.doc).toBe(0);
    expect(sport.missing).toEqual(['займатися']);
    expect(sport.coverage).toBeGreaterThan(0.6);
    // «медичний» is in one other passage only: the list of faculties without it is marked down.
    const medical = index.search('Чи є медичний факультет?', 4).find((d) => d.doc === 1)!;
    const law = index.search('Чи є факультет права?', 4).find((d) => d.doc === 1)!;
    expect(medical.coverage).toBe(0.5);
    expect(medical.score).toBeLessThan(law.score * 0.5);
    // The fee passage names the bachelor's degree only: a PhD question keeps less of its score.
    const phd = index.search('Скільки коштує навчання в аспірантурі?', 4).find((d) => d.doc === 3);
    const bachelor = index.search('Скільки коштує навчання на бакалавраті?', 4).find((d) => d.doc === 3)!;
    expect(phd?.score ?? 0).toBeLessThan(bachelor.score * 0.6);
  });

  it('uses the usearch graph above annAbove and still finds the passage', () => {
    const documents = Array.from({ length: 300 }, (_, i) => ({ title: `Розділ ${i}`, text: `Тема номер ${i}: ${i % 2 ? 'стипендія' : 'гуртожиток'} і розклад занять для групи ${i}.` }));
    documents.push({ title: 'Басейн', text: 'У спорткомплексі є 25-метровий басейн.' });
    const exact = new HybridIndex(documents, { annAbove: 10_000 });
    const ann = new HybridIndex(documents, { annAbove: 100 });
    expect(ann.search('Чи є басейн?', 3)[0].doc).toBe(300);
    expect(ann.search('Чи є басейн?', 3)[0].score).toBeCloseTo(exact.search('Чи є басейн?', 3)[0].score, 5);
  });
});

describe('the abstention check', () => {
  it('gives no passage to a question about a degree level no document names, unless one matches strongly', async () => {
    const index = await sample();
    // The sample names no PhD programme: «навчання», «коштує» find passages above minScore.
    const question = 'скільки коштує навчання в аспірантурі';
    expect(index.retrieve(question, 4, 0).length).toBeGreaterThan(0);
    expect(index.retrieve(question, 4, 0)[0].score).toBeGreaterThanOrEqual(0.4);
    expect(index.retrieve(question, 4, 0.4)).toEqual([]);
    expect(index.abstention(question)).toBe('the question names phd, which no document names');
    // A degree level the documents name is no reason to abstain.
    expect(index.abstention('Скільки коштує навчання в магістратурі?')).toBeUndefined();
    expect(index.retrieve('Скільки коштує навчання в магістратурі?', 4, 0.4).length).toBeGreaterThan(0);
    // Switched off: ranking and minScore alone pass the generic passages.
    const base = await loadSources(['knowledge/faq.*.yaml', 'knowledge/pages/*.md'], { configFile: 'test.yaml', configDir: process.cwd(), lineOf: () => 1 });
    const unchecked = KnowledgeIndex.build(base, { abstention: false });
    expect(unchecked.retrieve(question, 4, 0.4).length).toBeGreaterThan(0);
    expect(unchecked.abstention(question)).toBeUndefined();
  });

  it('lets a strong match through: a degree level named only as a qualifier', () => {
    expect(abstentionReason([{ score: 0.45 }], ['phd'])).toBe('the question names phd, which no document names');
    expect(abstentionReason([{ score: 0.65 }], ['phd'])).toBeUndefined();
    expect(abstentionReason([{ score: 0.45 }], [])).toBeUndefined();
    expect(abstentionReason([], ['phd'])).toBeUndefined();
  });
});

describe('kobza eval knowledge', () => {
  it('meets the issue’s figures on the tuning set', async () => {
    const { stdout, exitCode } = await runKobzaInProcess('eval', 'knowledge', '--config', 'config/default.yaml', '--questions', 'knowledge/questions.tuning.jsonl', '--json');
    expect(exitCode).toBe(0);
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(figures.hitAt5).toBeGreaterThanOrEqual(0.9);
    expect(figures.hitAt1).toBeGreaterThanOrEqual(0.75);
    expect(figures.faqWrong).toBe(0);
    expect(figures.abstain).toBeGreaterThanOrEqual(0.8);
  });

  // held-out 1–4 were tuned on too (issue 12's second to fourth rounds): these guard the
  // figures measured after the fourth, each at the goals. held-out 5 was written blind
  // after the fourth round and never tuned on: its row is its first measurement (docs/knowledge.md).
  it.each([
    ['heldout', 48, { hitAt5: 1, hitAt1: 0.947, abstain: 0.9 }],
    ['heldout2', 50, { hitAt5: 0.923, hitAt1: 0.897, abstain: 1 }],
    ['heldout3', 52, { hitAt5: 0.976, hitAt1: 0.927, abstain: 0.909 }],
    ['heldout4', 64, { hitAt5: 0.94, hitAt1: 0.92, abstain: 0.929 }],
    ['heldout5', 66, { hitAt5: 0.981, hitAt1: 0.962, abstain: 0.857 }],
  ] as const)('keeps questions.%s.jsonl (%i questions) at its measured figures %j and faqWrong 0', async (set, count, measured) => {
    const { stdout } = await runKobzaInProcess('eval', 'knowledge', '--config', 'config/default.yaml', '--questions', `knowledge/questions.${set}.jsonl`, '--json');
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(figures.questions).toBe(count);
    expect(figures.hitAt5).toBeGreaterThanOrEqual(measured.hitAt5);
    expect(figures.hitAt1).toBeGreaterThanOrEqual(measured.hitAt1);
    expect(figures.abstain).toBeGreaterThanOrEqual(measured.abstain);
    expect(figures.faqWrong).toBe(0);
  });

  it('knowledge search says when the abstention check withholds the passages', async () => {
    const { stdout } = await runKobzaInProcess('knowledge', 'search', 'скільки коштує навчання в аспірантурі', '--config', 'config/default.yaml', '-k', '2', '--json');
    const found = JSON.parse(stdout.trim().split('\n').at(-1)!) as { abstention: string | null; passages: { relevant: boolean }[] };
    expect(found.abstention).toBe('the question names phd, which no document names');
    expect(found.passages.length).toBe(2);
    expect(found.passages.every((p) => !p.relevant)).toBe(true);
  });

  it('knowledge search prints the ranked passages with their scores and why', async () => {
    const { stdout } = await runKobzaInProcess('knowledge', 'search', 'Коли зимова сесія?', '--config', 'config/default.yaml', '-k', '2');
    expect(stdout).toContain('FAQ: no entry verifies as this question');
    expect(stdout).toMatch(/ 1\. 0\.\d{3} {2}Навчання і студентське життя › Сесії та канікули {2}\[pages\/student-life\.md#сесії-та-канікули\] {2}knowledge\/pages\/student-life\.md:\d+/);
    expect(stdout).toContain('matched: зимова, сесія');
  });
});
