import { describe, expect, it } from 'vitest';
import { createReplyMeta, createRequest, type Candidate, type ChatRequest, type Scorer, type ScoreResult } from '../../../core/index.js';
import { rankingConfigSchema, rankCandidates, builtinScorers, normalizeScore } from '../../../plugins/parallel-ranking/index.js';
import { createConsensusScorer, agreement, consensusScorerSchema } from '../../../plugins/parallel-ranking/scorers/consensus.js';
import { createCoverageScorer, coverageScorerSchema } from '../../../plugins/parallel-ranking/scorers/coverage.js';
import { createDirectnessScorer, directnessScorerSchema, firstSentence, opensWithAnswer } from '../../../plugins/parallel-ranking/scorers/directness.js';
import { createForbiddenScorer, forbiddenScorerSchema } from '../../../plugins/parallel-ranking/scorers/forbidden.js';
import { createLanguageScorer, languageScorerSchema } from '../../../plugins/parallel-ranking/scorers/language.js';
import { createLengthScorer, lengthScorerSchema } from '../../../plugins/parallel-ranking/scorers/length.js';
import { createOverclaimScorer, overclaimScorerSchema } from '../../../plugins/parallel-ranking/scorers/overclaim.js';
import { createRefusalScorer, refusalScorerSchema } from '../../../plugins/parallel-ranking/scorers/refusal.js';
import { createRepetitionScorer, repetitionScorerSchema } from '../../../plugins/parallel-ranking/scorers/repetition.js';
import { createSubstanceScorer, substanceScorerSchema } from '../../../plugins/parallel-ranking/scorers/substance.js';
import { createTruncationScorer, truncationScorerSchema } from '../../../plugins/parallel-ranking/scorers/truncation.js';

function ask(question: string): ChatRequest {
  return createRequest({ messages: [{ role: 'user', content: question }] }, { model: 'test' });
}

function candidate(text: string, siblings: readonly string[] = [text], doneReason = 'stop'): Candidate {
  const meta = createReplyMeta({ requestId: 'r', source: 'provider', model: 'test' });
  meta.complete = true;
  meta.doneReason = doneReason;
  return { index: siblings.indexOf(text), text, meta, options: {}, siblings };
}

async function judge(scorer: Scorer, text: string, question = 'Питання?', siblings?: readonly string[]): Promise<ScoreResult> {
  return normalizeScore(await scorer.score(candidate(text, siblings), ask(question)));
}

describe('language scorer', () => {
  const scorer = createLanguageScorer(languageScorerSchema.parse({}));
  it('passes an answer in the question’s language and vetoes another language', async () => {
    expect((await judge(scorer, 'Гуртожиток коштує від 950 до 1200 гривень на місяць.', 'Скільки коштує гуртожиток?')).score).toBe(1);
    const russian = await judge(scorer, 'Общежитие стоит от 950 до 1200 гривен в месяц, оплата ежемесячно.', 'Скільки коштує гуртожиток?');
    expect(russian).toMatchObject({ score: 0, veto: true });
    expect(russian.reason).toContain('ru');
    expect((await judge(scorer, 'Гуртожиток коштує 950 гривень на місяць.', 'How much is the dormitory?')).veto).toBe(true);
    expect((await judge(scorer, 'The dormitory costs about UAH 1,400 per month.', 'How much is the dormitory?')).score).toBe(1);
  });
  it('uses an earlier user message when the last one cannot be told, and never vetoes an untellable answer', async () => {
    const request = createRequest({ messages: [{ role: 'user', content: 'Скільки коштує гуртожиток?' }, { role: 'assistant', content: '950 грн.' }, { role: 'user', content: '???' }] }, { model: 't' });
    expect(normalizeScore(await scorer.score(candidate('Стоимость общежития составляет 950 гривен в месяц, оплата вносится ежемесячно.'), request)).veto).toBe(true);
    expect((await judge(scorer, 'Прием документов на бакалавриат заканчивается двадцать третьего июля.', 'Коли закінчується прийом документів?')).veto).toBe(true);
    const unknown = await judge(scorer, '950.', 'Скільки коштує гуртожиток?');
    expect(unknown.veto).toBeFalsy();
    expect(unknown.score).toBeLessThan(1);
  });
});

describe('refusal scorer', () => {
  const scorer = createRefusalScorer(refusalScorerSchema.parse({}));
  it.each([
    'Як модель ШІ, я не маю доступу до актуальної інформації.',
    'Вибачте, я не можу надати інформацію про документи.',
    'На жаль, я не можу допомогти з цим питанням.',
    "I'm sorry, but as an AI I cannot book a room for you.",
    'I cannot help with that request.',
    'Как ИИ, я не могу давать такие советы.',
    'Извините, но я не могу ответить на этот вопрос.',
  ])('vetoes %j', async (text) => {
    expect(await judge(scorer, text)).toMatchObject({ score: 0, veto: true });
  });
  it.each([
    'Якщо ви не можете прийти особисто, надішліть заяву поштою.',
    'Студент не може перескладати екзамен більше двох разів.',
    'You cannot apply after July 23, so send the documents earlier.',
  ])('passes an answer that only mentions what someone cannot do: %j', async (text) => {
    expect((await judge(scorer, text)).score).toBe(1);
  });
  it('takes extra patterns from config', async () => {
    const custom = createRefusalScorer(refusalScorerSchema.parse({ patterns: ['зверніться до оператора'] }));
    expect((await judge(custom, 'Будь ласка, зверніться до оператора.')).veto).toBe(true);
  });
});

describe('repetition scorer', () => {
  const scorer = createRepetitionScorer(repetitionScorerSchema.parse({}));
  it('vetoes a loop and passes normal prose', async () => {
    const loop = await judge(scorer, 'Зверніться до деканату. '.repeat(8));
    expect(loop).toMatchObject({ score: 0, veto: true });
    const swapped = await judge(scorer, 'Стипендію виплачують щомісяця. Щомісяця виплачують стипендію. '.repeat(4));
    expect(swapped.veto).toBe(true);
    expect((await judge(scorer, 'Стипендію виплачують щомісяця до 25 числа на банківську картку. Першу виплату можуть затримати.')).score).toBe(1);
  });
  it('lowers the score for some repetition without vetoing', async () => {
    const text = 'Подайте заяву в деканат. Додайте фото 3×4 і копію паспорта. Подайте заяву в деканат особисто або поштою, а довідку отримаєте за тиждень.';
    const result = await judge(scorer, text);
    expect(result.score).toBeLessThan(1);
    expect(result.score).toBeGreaterThan(0);
    expect(result.veto).toBe(false);
  });
});

describe('truncation scorer', () => {
  const scorer = createTruncationScorer(truncationScorerSchema.parse({}));
  it.each([
    'Для переведення необхідно звернутися до свого університету й отримати',
    'You can contact the international office by email or phone. The email address is',
    'Потрібні такі документи:',
    'Паспорт, ідентифікаційний код, а також',
    '{"answer": "так", "days": 3',
  ])('vetoes %j', async (text) => {
    expect(await judge(scorer, text)).toMatchObject({ score: 0, veto: true });
  });
  it.each([
    'Так.',
    'Прийом документів триває до 23 липня.',
    'Пишіть на vstup@ksu.example',
    'Документи:\n- паспорт\n- фото 3×4',
    'Відповідь — «так».',
    '*Удачі!*',
    'Готово 🎓',
    '{"answer": "так", "days": 3}',
  ])('passes %j', async (text) => {
    expect((await judge(scorer, text)).score).toBe(1);
  });
  it('vetoes an answer the provider cut at num_predict, whatever its ending', async () => {
    const result = normalizeScore(await scorer.score(candidate('Прийом документів триває до 23 липня.', undefined, 'length'), ask('Коли?')));
    expect(result).toMatchObject({ score: 0, veto: true });
  });
});

describe('coverage scorer', () => {
  const scorer = createCoverageScorer(coverageScorerSchema.parse({}));
  it('prefers the answer that speaks of the question’s content words', async () => {
    const question = 'Скільки коштує проживання в гуртожитку?';
    const onTopic = await judge(scorer, 'Проживання в гуртожитку коштує від 950 до 1200 грн на місяць.', question);
    const offTopic = await judge(scorer, 'Вартість навчання на контракті становить 24 000 грн на рік.', question);
    expect(onTopic.score).toBeGreaterThan(offTopic.score);
    expect(offTopic.reason).toContain('missing');
  });
  it('is stem-aware across word forms', async () => {
    const result = await judge(scorer, 'Гуртожитки мають кухні на кожному поверсі.', 'Які умови в гуртожитку?');
    expect(result.score).toBeGreaterThan(0.4);
  });
  it('penalises an answer about the start when the end was asked', async () => {
    const question = 'Коли закінчується прийом документів?';
    const start = await judge(scorer, 'Прийом документів розпочинається 1 липня.', question);
    const end = await judge(scorer, 'Прийом документів закінчується 23 липня о 18:00.', question);
    expect(end.score).toBeGreaterThan(start.score);
    expect(start.reason).toMatch(/start/);
  });
  it('penalises an answer about another degree level', async () => {
    const question = 'Скільки триває навчання на магістратурі?';
    const bachelor = await judge(scorer, 'Навчання на бакалавраті триває 3 роки 10 місяців.', question);
    const master = await judge(scorer, 'Навчання на магістратурі триває 1 рік 4 місяці.', question);
    expect(master.score).toBeGreaterThan(bachelor.score);
    expect(bachelor.reason).toMatch(/bachelor/);
  });
  it('penalises a number-seeking question answered without a number', async () => {
    const question = 'Скільки коштує проживання в гуртожитку?';
    const vague = await judge(scorer, 'Проживання в гуртожитку коштує недорого.', question);
    const exact = await judge(scorer, 'Проживання в гуртожитку коштує 950 грн на місяць.', question);
    expect(exact.score).toBeGreaterThan(vague.score);
  });
  it('uses deployment vocabulary: named entities make another specialty a disagreement', async () => {
    const question = 'Скільки балів НМТ потрібно, щоб вступити на психологію?';
    const other = 'Для вступу на журналістику потрібно щонайменше 140 балів НМТ.';
    const plain = await judge(scorer, other, question);
    const withEntities = createCoverageScorer(coverageScorerSchema.parse({ vocabulary: { entities: [['психологія', 'psychology'], ['журналістика', 'journalism']] } }));
    const judged = await judge(withEntities, other, question);
    expect(judged.score).toBeLessThan(plain.score);
    expect(judged.reason).toMatch(/журналістика/);
  });

  it('counts a category word as covered when the answer names its members', async () => {
    const question = 'What papers should I bring to enrol?';
    const list = await judge(scorer, 'Bring your passport, the school certificate with its transcript and two photos.', question);
    const vague = await judge(scorer, 'Enrolment is an exciting time, and many things have to be prepared in advance.', question);
    expect(list.score).toBeGreaterThan(vague.score);
    expect(list.reason ?? '').not.toMatch(/papers/);
    // A member is not its category: the word "документи" does not cover a question about the passport.
    const passport = await judge(scorer, 'Потрібні документи: звертайтеся до відділу кадрів.', 'Чи потрібен закордонний паспорт для практики?');
    expect(passport.reason).toMatch(/паспорт/);
  });

  it('can veto slot disagreements when configured', async () => {
    const strict = createCoverageScorer(coverageScorerSchema.parse({ slotVeto: true }));
    expect((await judge(strict, 'Навчання на бакалавраті триває 4 роки.', 'Скільки триває навчання на магістратурі?')).veto).toBe(true);
  });
});

describe('directness scorer', () => {
  const scorer = createDirectnessScorer(directnessScorerSchema.parse({}));
  it('wants a yes or no first for a yes/no question', async () => {
    const question = 'Чи працює спортзал у вихідні?';
    expect((await judge(scorer, 'Так, у суботу з 10:00 до 16:00; у неділю зал зачинено.', question)).score).toBe(1);
    expect((await judge(scorer, '**Ні.** У вихідні спортзал не працює.', question)).score).toBe(1);
    expect((await judge(scorer, 'На жаль, ні: зал відкритий лише в будні.', question)).score).toBe(1);
    const ramble = await judge(scorer, 'Спорт — важлива частина студентського життя, і в університеті є багато секцій.', question);
    expect(ramble.score).toBe(0.5);
    expect(ramble.reason).toMatch(/yes or no/);
  });
  it('accepts an answer that restates the predicate', () => {
    expect(opensWithAnswer('Чи можна перескласти екзамен двічі?', 'Можна, але друге перескладання приймає комісія.')).toBe(true);
    expect(opensWithAnswer('Can I pay in instalments?', 'You can pay each semester or each month.')).toBe(true);
    expect(opensWithAnswer('Можно ли жить в общежитии летом?', 'Да, летом общежитие работает.')).toBe(true);
  });
  it('wants the figure in the first sentence for how-much, how-long and when questions', async () => {
    const question = 'Скільки коштує обід у їдальні?';
    expect((await judge(scorer, 'Комплексний обід коштує близько 90 грн. Меню змінюється щодня.', question)).score).toBe(1);
    const buried = await judge(scorer, 'Їдальня працює в головному корпусі й пропонує різні страви. Обід коштує близько 90 грн.', question);
    expect(buried.score).toBe(0.5);
    expect(buried.reason).toMatch(/cost/);
    expect(opensWithAnswer('How long is the winter break?', 'Two weeks, from late December.')).toBe(true);
    expect(opensWithAnswer('Коли відкривається бібліотека?', 'О 8:30 у будні.')).toBe(true);
  });
  it('does not judge other kinds of question', async () => {
    expect(opensWithAnswer('Як записатися на курси англійської?', 'Курси англійської дуже популярні.')).toBeUndefined();
    expect((await judge(scorer, 'Курси англійської дуже популярні.', 'Як записатися на курси англійської?')).score).toBe(1);
  });
  it('reads the first sentence past markdown, list markers and decimals', () => {
    expect(firstSentence('## 📌 Так.\nДеталі нижче.')).toBe('Так.');
    expect(firstSentence('- Бал 4.5 достатній. Решта — ні.')).toBe('Бал 4.5 достатній.');
  });
});

describe('length scorer', () => {
  const scorer = createLengthScorer(lengthScorerSchema.parse({ min: 100, max: 300 }));
  it('is 1 inside the window and falls softly outside, never below the floor', async () => {
    expect((await judge(scorer, 'а'.repeat(200))).score).toBe(1);
    expect((await judge(scorer, 'а'.repeat(50))).score).toBeCloseTo(0.5);
    const long = await judge(scorer, 'а'.repeat(1200));
    expect(long.score).toBeCloseTo(0.5);
    expect((await judge(scorer, 'Так.')).score).toBeCloseTo(0.1);
    expect((await judge(scorer, '')).score).toBe(0);
  });
});

describe('consensus scorer', () => {
  const scorer = createConsensusScorer(consensusScorerSchema.parse({}));
  it('scores the candidate that agrees with its siblings highest', async () => {
    const siblings = [
      'Прийом документів на бакалаврат триває до 23 липня до 18:00.',
      'Документи на бакалаврат приймають до 23 липня.',
      'Гуртожиток коштує 950 грн на місяць.',
    ];
    const scores = await Promise.all(siblings.map((text) => judge(scorer, text, 'Коли закінчується прийом документів?', siblings)));
    expect(scores[0].score).toBe(1);
    expect(scores[1].score).toBeGreaterThan(scores[2].score);
    expect(agreement(siblings[0], siblings[1], 0.4)).toBeGreaterThan(agreement(siblings[0], siblings[2], 0.4));
  });
  it('counts shared numbers, however they are spaced', () => {
    expect(agreement('Коштує 1 200 грн.', 'Ціна — 1200 гривень.', 1)).toBe(1);
  });
  it('is neutral for a lone candidate', async () => {
    expect((await judge(scorer, 'Одна відповідь.')).score).toBe(1);
  });
});

describe('forbidden scorer', () => {
  it('lowers the score per hit, matches whole words, and vetoes when told to', async () => {
    const soft = createForbiddenScorer(forbiddenScorerSchema.parse({ words: ['гарантовано'], patterns: ['конкурент\\w*'] }));
    expect((await judge(soft, 'Вступ гарантовано, на відміну від конкурентів.')).score).toBeCloseTo(0.25);
    expect((await judge(soft, 'Негарантованого нічого немає.')).score).toBe(1);
    const strict = createForbiddenScorer(forbiddenScorerSchema.parse({ words: ['гарантовано'], veto: true }));
    expect((await judge(strict, 'Гарантовано вступите!')).veto).toBe(true);
  });
  it('rejects an invalid pattern in config', () => {
    expect(forbiddenScorerSchema.safeParse({ patterns: ['(unclosed'] }).success).toBe(false);
  });
});

describe('substance scorer', () => {
  const scorer = createSubstanceScorer(substanceScorerSchema.parse({}));
  it('scores markdown and emoji soup low and a formatted answer with content high', async () => {
    const soup = await judge(scorer, '## 📍 Локація\n\n- 🏛️ *університет*\n- 📚 **навчання**\n- 🌍 ***місто***: див. нижче\n\n> **Важливо!**');
    const list = await judge(scorer, 'Для поселення потрібні:\n- паспорт або ID-картка з копією;\n- направлення на поселення з деканату;\n- медична довідка форми 086/о.');
    expect(soup.score).toBeLessThan(0.5);
    expect(list.score).toBeGreaterThan(0.8);
    expect(soup.reason).toMatch(/markup|hollow/);
  });
  it('scores bare question items and pointers elsewhere low', async () => {
    const result = await judge(scorer, '1. **Куди?**\n2. *Як?*\n3. Коли?\n\n> Відповіді на всі питання — вище!');
    expect(result.score).toBeLessThan(0.6);
  });
});

describe('overclaim scorer', () => {
  const scorer = createOverclaimScorer(overclaimScorerSchema.parse({}));
  it('lowers the score with each categorical marker', async () => {
    const hedged = await judge(scorer, 'Стипендію зазвичай платять щомісяця, приблизно до 25 числа.');
    const one = await judge(scorer, 'Вам потрібно лише надіслати фото.');
    const many = await judge(scorer, 'Стипендію не платять ніколи: лише з 3 курсу і рівно 17 грн.');
    expect(hedged.score).toBe(1);
    expect(one.score).toBeLessThan(1);
    expect(many.score).toBeLessThan(one.score);
  });
});

describe('rankCandidates', () => {
  const request = ask('Коли закінчується прийом документів на бакалаврат?');
  const texts = [
    'Прием документов на бакалавриат заканчивается 23 июля в 18:00.',
    'Прийом документів на бакалаврат триває до 18:00 23 липня. Після цього оприлюднюють рейтингові списки вступників.',
    'Прийом документів на бакалаврат розпочинається 1 липня, а',
    'Як модель ШІ, я не можу знати розклад вступної кампанії.',
  ];
  const candidates = texts.map((text, index) => ({ ...candidate(text, texts), index }));

  it('puts vetoed candidates last and explains the choice', async () => {
    const scorers = builtinScorers(rankingConfigSchema.parse({}).scorers).map((scorer) => ({ scorer, weight: scorer.weight ?? 1 }));
    const verdict = await rankCandidates(candidates, request, scorers);
    expect(verdict.winner).toBe(1);
    expect(verdict.ranked.slice(1).every((v) => v.vetoedBy.length > 0)).toBe(true);
    expect(verdict.reason).toMatch(/#0 vetoed by language/);
    expect(verdict.reason).toMatch(/#3 vetoed by refusal/);
  });

  it('lets a vetoed candidate win only when every candidate is vetoed, by score', async () => {
    const vetoAll: Scorer = { name: 'no', score: () => ({ score: 0, veto: true }) };
    const byLength: Scorer = { name: 'len', score: (c) => c.text.length / 1000 };
    const verdict = await rankCandidates(candidates, request, [{ scorer: vetoAll, weight: 0 }, { scorer: byLength, weight: 1 }]);
    expect(verdict.winner).toBe(1);
    expect(verdict.reason).toContain('every candidate was vetoed');
  });

  it('leaves out a scorer that times out', async () => {
    const slow: Scorer = { name: 'slow', score: () => new Promise(() => undefined) };
    const fine: Scorer = { name: 'fine', score: (c) => (c.index === 2 ? 1 : 0) };
    const verdict = await rankCandidates(candidates, request, [{ scorer: slow, weight: 10 }, { scorer: fine, weight: 1 }], { scorerTimeoutMs: 20 });
    expect(verdict.winner).toBe(2);
    expect(verdict.ranked[0].skipped.slow).toContain('longer than 20 ms');
  });
});
