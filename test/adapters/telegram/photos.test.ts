/**
 * Photos and other media, end to end: the Bot API stand-in serves getFile and the
 * download, the Ollama stand-in records what reached the model (image bytes, model).
 * Photos go to the vision model as base64 images with the caption, bypass the semantic
 * cache and ranking, and are refused politely over `photos.maxBytes`; voice, video,
 * stickers and files get a short reply in the user's language.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../../../adapters/telegram/index.js';
import { fillText } from '../../../adapters/telegram/config.js';
import { choosePhotoSize } from '../../../adapters/telegram/media.js';
import { settledAnswer, startBot, stopAll, type LiveBot } from './helpers.js';

afterEach(stopAll);

const textsOf = (live: LiveBot, chatId: number) => live.telegram.botMessages(chatId).map((m) => m.text);
const chatCalls = (live: LiveBot) => live.ollama.calls.filter((c) => c.path === '/api/chat');
const lastUserMessage = (body: { messages: { role: string; content: string; images?: string[] }[] }) => body.messages.filter((m) => m.role === 'user').at(-1)!;

/** A photo's sizes as a phone sends them: small, medium, large (random bytes, so each is recognisable). */
const photoSizes = (...bytes: number[]) => bytes.map((n) => randomBytes(n));

describe('photos', () => {
  it('sends the largest size under the limit and the caption to the vision model as a base64 image', async () => {
    const live = await startBot({ telegram: { visionModel: 'qwen2.5vl:7b', photos: { maxBytes: 10_000 } } });
    const [small, large, huge] = photoSizes(1500, 8000, 30_000);
    live.telegram.sendUserMessage({ chat: { id: 801 }, photo: [small, large, huge], caption: 'Що в розкладі на понеділок?' });
    await settledAnswer(live, 801, 'the answer about the photo', (m) => m.length === 1);

    expect(textsOf(live, 801)).toEqual(['Answer to: Що в розкладі на понеділок?']);
    const [call] = chatCalls(live);
    expect(call.body.model).toBe('qwen2.5vl:7b');
    expect(lastUserMessage(call.body)).toEqual({ role: 'user', content: 'Що в розкладі на понеділок?', images: [large.toString('base64')] });
    expect(Buffer.from(lastUserMessage(call.body).images![0], 'base64').equals(large)).toBe(true);
    expect(live.telegram.callsOf('getFile').map((c) => c.ok)).toEqual([true]);
    expect(live.telegram.downloads.map((d) => d.bytes)).toEqual([8000]);

    // Text in the same chat still goes to the chat's model, without images.
    live.telegram.sendUserMessage({ chat: { id: 801 }, text: 'Дякую!' });
    await settledAnswer(live, 801, 'the text answer', (m) => m.length === 2);
    expect(chatCalls(live)[1].body.model).toBe('qwen2.5:7b');
    expect(lastUserMessage(chatCalls(live)[1].body).images).toBeUndefined();
    // The download URL holds the token; it never reaches the log.
    expect(live.logs.join('\n')).not.toContain(live.telegram.token);
  });

  it("uses the chat's model when no visionModel is set, and asks about a photo without a caption in the user's language", async () => {
    const live = await startBot();
    const [photo] = photoSizes(4000);
    live.telegram.sendUserMessage({ chat: { id: 802 }, from: { id: 802, language_code: 'en' }, photo: [photo] });
    await settledAnswer(live, 802, 'the answer', (m) => m.length === 1);
    const [call] = chatCalls(live);
    expect(call.body.model).toBe('qwen2.5:7b');
    expect(lastUserMessage(call.body)).toEqual({ role: 'user', content: DEFAULT_TEXTS.en.photoPrompt, images: [photo.toString('base64')] });
  });

  it('bypasses the semantic cache and ranking (a repeated text question is cached and ranked)', async () => {
    const live = await startBot({ plugins: { 'semantic-cache': {}, 'parallel-ranking': { when: 'always', candidates: 3 } } });
    const [photo] = photoSizes(3000);
    for (let i = 1; i <= 2; i++) {
      live.telegram.sendUserMessage({ chat: { id: 803 }, photo: [photo], caption: 'Коли вступна кампанія?' });
      await settledAnswer(live, 803, `photo answer ${i}`, (m) => m.length === i);
    }
    // One upstream call per photo: no ranking drafts, no cache hit for the same photo and caption.
    expect(chatCalls(live).map((c) => c.body.messages.at(-1).images?.length)).toEqual([1, 1]);

    for (let i = 3; i <= 4; i++) {
      live.telegram.sendUserMessage({ chat: { id: 803 }, text: 'Коли вступна кампанія?' });
      await settledAnswer(live, 803, `text answer ${i}`, (m) => m.length === i);
    }
    // The same text: ranked the first time (3 drafts), then served from the cache.
    expect(chatCalls(live).length).toBe(2 + 3);
  });

  it('answers politely, without fetching, when every size is over photos.maxBytes', async () => {
    const live = await startBot({ telegram: { photos: { maxBytes: 2 * 1024 * 1024 } } });
    live.telegram.sendUserMessage({ chat: { id: 804 }, photo: photoSizes(2 * 1024 * 1024 + 1, 6_000_000), caption: 'Прочитай це' });
    await settledAnswer(live, 804, 'the refusal', (m) => m.length === 1);
    expect(textsOf(live, 804)).toEqual([fillText(DEFAULT_TEXTS.uk.photoTooBig, { megabytes: 2 })]);
    expect(live.telegram.callsOf('getFile')).toEqual([]);
    expect(chatCalls(live)).toEqual([]);
  });

  it("answers politely when the Bot API says the file is too big, in the caption's language", async () => {
    const live = await startBot({ bot: { maxFileBytes: 2000 }, telegram: { photos: { maxBytes: 1024 * 1024 } } });
    live.telegram.sendUserMessage({ chat: { id: 805 }, photo: photoSizes(3000), caption: 'What does this timetable say about Monday?' });
    await settledAnswer(live, 805, 'the refusal', (m) => m.length === 1);
    expect(textsOf(live, 805)).toEqual([fillText(DEFAULT_TEXTS.en.photoTooBig, { megabytes: 1 })]);
    expect(live.telegram.callsOf('getFile').map((c) => c.description)).toEqual(['Bad Request: file is too big']);
    expect(live.telegram.downloads).toEqual([]);
    expect(chatCalls(live)).toEqual([]);
  });

  it('a failed getFile becomes the generic apology; the log has the reason but not the token', async () => {
    const live = await startBot({ bot: { fault: (call) => (call.method === 'getFile' ? { errorCode: 400, description: 'Bad Request: wrong file_id or the file is temporarily unavailable' } : undefined) } });
    live.telegram.sendUserMessage({ chat: { id: 806 }, photo: photoSizes(3000), caption: 'Що тут?' });
    await settledAnswer(live, 806, 'the apology', (m) => m.length === 1);
    expect(textsOf(live, 806)).toEqual([DEFAULT_TEXTS.uk.errorGeneric]);
    expect(chatCalls(live)).toEqual([]);
    const logs = live.logs.join('\n');
    expect(logs).toContain('temporarily unavailable');
    expect(logs).not.toContain(live.telegram.token);
  });

  it('in groups answers a photo only when the caption mentions the bot; other chats are kept out by the allowlist', async () => {
    const live = await startBot({ telegram: { allowedChats: [-100807, 808] } });
    live.telegram.sendUserMessage({ chat: { id: -100807 }, photo: photoSizes(2000), caption: 'гляньте, який розклад' });
    live.telegram.sendUserMessage({ chat: { id: -100807 }, photo: photoSizes(2500), caption: '@kobza_test_bot що тут написано?' });
    const [answer] = await settledAnswer(live, -100807, 'the answer to the mention', (m) => m.length === 1);
    expect(answer.text).toBe('Answer to: що тут написано?');
    expect(live.telegram.downloads.map((d) => d.bytes)).toEqual([2500]);

    live.telegram.sendUserMessage({ chat: { id: 809 }, photo: photoSizes(2000), caption: 'А мені?' });
    await settledAnswer(live, 809, 'the refusal', (m) => m.length === 1);
    expect(textsOf(live, 809)).toEqual([DEFAULT_TEXTS.uk.notAllowed]);
    expect(live.telegram.downloads).toHaveLength(1);
    expect(chatCalls(live)).toHaveLength(1);
  });
});

describe('other media', () => {
  it("voice, video, video notes, stickers and documents get what the bot understands, in the user's language", async () => {
    const live = await startBot();
    const kinds = ['voice', 'video', 'video_note', 'sticker', 'document'] as const;
    const languages = ['uk', 'en', 'ru', 'uk', 'en'] as const;
    kinds.forEach((kind, i) => live.telegram.sendUserMessage({ chat: { id: 810 + i }, from: { id: 810 + i, language_code: languages[i] }, media: { kind } }));
    for (let i = 0; i < kinds.length; i++) {
      await settledAnswer(live, 810 + i, `the reply to a ${kinds[i]}`, (m) => m.length === 1);
      expect(textsOf(live, 810 + i)).toEqual([DEFAULT_TEXTS[languages[i]].unsupportedMedia]);
    }
    expect(chatCalls(live)).toEqual([]);
    expect(live.telegram.callsOf('getFile')).toEqual([]);
  });

  it('stays quiet about media shared between people in a group, and answers one sent in reply to the bot', async () => {
    const live = await startBot();
    live.telegram.sendUserMessage({ chat: { id: -100815 }, text: '@kobza_test_bot привіт' });
    const [botMessage] = await settledAnswer(live, -100815, 'the greeting answer', (m) => m.length === 1);
    live.telegram.sendUserMessage({ chat: { id: -100815 }, media: { kind: 'sticker' } });
    live.telegram.sendUserMessage({ chat: { id: -100815 }, media: { kind: 'voice' }, replyTo: botMessage.message_id });
    await settledAnswer(live, -100815, 'the reply to the voice', (m) => m.length === 2);
    expect(textsOf(live, -100815)[1]).toBe(DEFAULT_TEXTS.uk.unsupportedMedia);
    // The reply answers the voice message (had the sticker been answered, its reply would come first).
    expect(live.telegram.botMessages(-100815)[1].reply_to_message_id).toBe(live.telegram.messages(-100815).find((m) => m.media?.kind === 'voice')!.message_id);
  });
});

describe('choosePhotoSize', () => {
  const size = (width: number, file_size?: number) => ({ file_id: `f${width}`, file_unique_id: `u${width}`, width, height: width, ...(file_size === undefined ? {} : { file_size }) });

  it('picks the largest size at or under the limit, or none', () => {
    expect(choosePhotoSize([size(90, 1000), size(320, 5000), size(800, 9000)], 5000)?.width).toBe(320);
    expect(choosePhotoSize([size(800, 9000), size(90, 1000)], 10_000)?.width).toBe(800);
    expect(choosePhotoSize([size(90, 6000)], 5000)).toBeUndefined();
    // A size Telegram did not measure is tried (the download is capped anyway).
    expect(choosePhotoSize([size(90, 1000), size(1280)], 5000)?.width).toBe(1280);
  });
});
