/**
 * The Bot API stand-in itself, driven by grammY's own client: if it did not behave like
 * Telegram where it matters, the adapter tests would prove nothing.
 */
import { Api, GrammyError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTelegramHtml, startTelegramStandIn, type TelegramStandIn } from '../../servers/telegram.js';

let telegram: TelegramStandIn | undefined;
afterEach(async () => {
  await telegram?.close();
  telegram = undefined;
});

async function standIn(options: Parameters<typeof startTelegramStandIn>[0] = {}): Promise<{ telegram: TelegramStandIn; api: Api }> {
  telegram = await startTelegramStandIn(options);
  return { telegram, api: new Api(telegram.token, { apiRoot: telegram.url }) };
}

async function failure(call: Promise<unknown>): Promise<GrammyError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

describe('Bot API stand-in', () => {
  it('answers getMe, and 401 for a wrong token', async () => {
    const { telegram, api } = await standIn();
    expect(await api.getMe()).toMatchObject({ id: telegram.bot.id, is_bot: true, username: 'kobza_test_bot' });
    const wrong = new Api('1:wrong-token-wrong-token-wrong', { apiRoot: telegram.url });
    expect((await failure(wrong.getMe())).error_code).toBe(401);
  });

  it('sends and edits messages, parsing HTML into entities, with real-shaped errors', async () => {
    const { telegram, api } = await standIn();
    telegram.sendUserMessage({ chat: { id: 5 }, text: 'hi' });
    const sent = await api.sendMessage(5, '<b>Жирний</b> &amp; <a href="https://e.org">лінк</a>', { parse_mode: 'HTML' });
    expect(sent).toMatchObject({ message_id: 2, chat: { id: 5, type: 'private' }, text: 'Жирний & лінк' });
    expect(sent.entities).toEqual([
      { type: 'bold', offset: 0, length: 6 },
      { type: 'text_link', offset: 9, length: 4, url: 'https://e.org' },
    ]);
    const edited = await api.editMessageText(5, sent.message_id, '<i>інший</i>', { parse_mode: 'HTML' });
    expect(edited).toMatchObject({ text: 'інший', edit_date: expect.any(Number) });
    expect(telegram.botMessages(5)[0].history.map((h) => h.text)).toEqual(['Жирний & лінк', 'інший']);

    const notModified = await failure(api.editMessageText(5, sent.message_id, '<i>інший</i>', { parse_mode: 'HTML' }));
    expect(notModified.error_code).toBe(400);
    expect(notModified.description).toMatch(/^Bad Request: message is not modified: /);
    // Same text with other entities is a modification.
    await api.editMessageText(5, sent.message_id, 'інший');

    for (const [html, why] of [
      ['<b>open', 'Can\'t find end tag corresponding to start tag "b"'],
      ['<script>x</script>', 'Unsupported start tag "script" at byte offset 0'],
      ['<b><i>x</b></i>', 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
      ['x</b>', 'Unexpected end tag at byte offset 1'],
      ['<code><b>x</b></code>', 'Entities can\'t be nested inside "code"'],
    ]) {
      const error = await failure(api.sendMessage(5, html, { parse_mode: 'HTML' }));
      expect(error.description).toContain(`Bad Request: can't parse entities: ${why}`);
    }
    expect((await failure(api.sendMessage(5, 'я'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    await api.sendMessage(5, `<b>${'я'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    expect((await failure(api.sendMessage(5, '   '))).description).toBe('Bad Request: message text is empty');
    expect((await failure(api.sendMessage(404, 'x'))).description).toBe('Bad Request: chat not found');
  });

  it('rate-limits a chat with 429 retry_after, by storm or by flood control', async () => {
    const { telegram, api } = await standIn({ floodControlMs: 1500 });
    telegram.sendUserMessage({ chat: { id: 6 }, text: 'hi' });
    await api.sendMessage(6, 'one');
    const flood = await failure(api.sendMessage(6, 'two'));
    expect(flood.error_code).toBe(429);
    expect(flood.description).toBe('Too Many Requests: retry after 2');
    expect(flood.parameters.retry_after).toBe(2);

    telegram.set({ floodControlMs: 0 });
    telegram.storm({ count: 1, retryAfter: 7, chatId: 6 });
    expect((await failure(api.sendMessage(6, 'three'))).parameters.retry_after).toBe(7);
    await api.sendMessage(6, 'four');
    expect(telegram.callsOf('sendMessage', 6).map((c) => c.errorCode ?? 200)).toEqual([200, 429, 429, 200]);
  });

  it('takes drafts in private chats only, with a non-zero id; 404 when drafts are off', async () => {
    const { telegram, api } = await standIn();
    telegram.sendUserMessage({ chat: { id: 7 }, text: 'hi' });
    telegram.sendUserMessage({ chat: { id: -7, type: 'group' }, text: 'hi' });
    expect(await api.sendMessageDraft(7, 3, '<b>чернетка</b>', { parse_mode: 'HTML' })).toBe(true);
    expect(telegram.drafts(7)).toMatchObject([{ draftId: 3, text: 'чернетка' }]);
    expect((await failure(api.sendMessageDraft(7, 0, 'x'))).error_code).toBe(400);
    expect((await failure(api.sendMessageDraft(-7, 3, 'x'))).error_code).toBe(400);
    telegram.set({ drafts: false });
    expect((await failure(api.sendMessageDraft(7, 3, 'x'))).error_code).toBe(404);
  });

  it('long-polls getUpdates with offset and timeout; 409 for a second poller or with a webhook set', async () => {
    const { telegram, api } = await standIn();
    const waiting = api.getUpdates({ timeout: 5, offset: 0 });
    await telegram.waitFor(() => telegram.callsOf('getUpdates').length === 1, 'the poll');
    const sent = telegram.sendUserMessage({ chat: { id: 8 }, text: '/start@kobza_test_bot @someone' });
    const [update] = await waiting;
    expect(update.message).toMatchObject({ message_id: sent.message_id, text: '/start@kobza_test_bot @someone' });
    expect(update.message?.entities).toEqual([
      { type: 'bot_command', offset: 0, length: 21 },
      { type: 'mention', offset: 22, length: 8 },
    ]);
    // Not confirmed yet: offset 0 returns it again; offset id+1 confirms it.
    expect(await api.getUpdates({ offset: 0, timeout: 0 })).toHaveLength(1);
    expect(await api.getUpdates({ offset: update.update_id + 1, timeout: 0 })).toEqual([]);
    expect(await api.getUpdates({ offset: 0, timeout: 0 })).toEqual([]);

    const first = api.getUpdates({ timeout: 5 });
    await telegram.waitFor(() => telegram.callsOf('getUpdates').length === 5, 'the first poller');
    const second = api.getUpdates({ timeout: 0 });
    await second;
    const third = api.getUpdates({ timeout: 5 });
    expect((await failure(first)).error_code).toBe(409);
    await api.setWebhook('https://example.org/hook', { secret_token: 'abc' });
    expect((await failure(third)).description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
    expect((await failure(api.getUpdates({ timeout: 0 }))).error_code).toBe(409);
    await api.deleteWebhook();
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('delivers users\' photos and media as Telegram does, serves getFile and downloads, refuses files over the limit', async () => {
    const { telegram, api } = await standIn({ maxFileBytes: 5000 });
    const small = Buffer.from('small jpeg bytes');
    const large = Buffer.alloc(6000, 7);
    telegram.sendUserMessage({ chat: { id: 9 }, photo: [small, large], caption: 'Розклад @kobza_test_bot' });
    telegram.sendUserMessage({ chat: { id: 9 }, media: { kind: 'voice' } });
    const updates = await api.getUpdates({ timeout: 0 });
    const photo = updates[0].message!;
    expect(photo.text).toBeUndefined();
    expect(photo).toMatchObject({ caption: 'Розклад @kobza_test_bot', caption_entities: [{ type: 'mention', offset: 8, length: 15 }] });
    expect(photo.photo!.map((p) => [p.width, p.file_size])).toEqual([
      [320, small.length],
      [800, 6000],
    ]);
    expect(updates[1].message!.voice).toMatchObject({ file_id: expect.any(String), duration: 3, mime_type: 'audio/ogg' });

    const file = await api.getFile(photo.photo![0].file_id);
    expect(file).toEqual({ file_id: photo.photo![0].file_id, file_unique_id: photo.photo![0].file_unique_id, file_size: small.length, file_path: expect.stringMatching(/^photos\/file_\d+\.jpg$/) });
    const download = await fetch(`${telegram.url}/file/bot${telegram.token}/${file.file_path}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(small)).toBe(true);
    expect(telegram.downloads).toEqual([{ path: file.file_path, at: expect.any(Number), bytes: small.length }]);

    expect((await fetch(`${telegram.url}/file/bot1:wrong/${file.file_path}`)).status).toBe(401);
    expect((await fetch(`${telegram.url}/file/bot${telegram.token}/photos/nothing.jpg`)).status).toBe(404);
    const tooBig = await failure(api.getFile(photo.photo![1].file_id));
    expect([tooBig.error_code, tooBig.description]).toEqual([400, 'Bad Request: file is too big']);
    expect((await failure(api.getFile('no-such-file'))).description).toBe('Bad Request: invalid file_id');
  });

  it('parses what Telegram parses', () => {
    expect(parseTelegramHtml('<pre><code class="language-ts">a &lt; b</code></pre>')).toEqual({ text: 'a < b', entities: [{ type: 'pre', offset: 0, length: 5, language: 'ts' }] });
    expect(parseTelegramHtml('a & b &#x1F600; <tg-spoiler>s</tg-spoiler>').text).toBe('a & b 😀 s');
  });
});
