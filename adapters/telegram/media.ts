/**
 * What the bot does with media. A photo is a question: the largest size at or under
 * `photos.maxBytes` is fetched (`getFile`, then a download from `apiRoot`) and goes to the
 * model as an image with the caption. Voice, video, video notes, stickers and files get a
 * short reply in the user's language saying what the bot understands (text and photos).
 */
import { Composer, GrammyError, type Api, type Context } from 'grammy';
import type { PhotoSize } from 'grammy/types';
import type { Logger } from '../../core/index.js';
import { fillText, type TelegramConfig } from './config.js';
import { isAddressed, questionOf } from './addressing.js';
import type { Replies } from './replies.js';

/** How long fetching one photo (getFile and the download) may take. */
const DOWNLOAD_TIMEOUT_MS = 30_000;


/**
 * Answers media the bot cannot read with what it understands; everything else goes on.
 * @example
 * bot.use(addressedQuestions(), unsupportedMedia(replies), rateLimit(...), conversations(...));
 */
export function unsupportedMedia(replies: Replies): Composer<Context> {
  const composer = new Composer<Context>();
  // Media the bot cannot read (an animation also comes as a document).
  composer.on(['message:voice', 'message:audio', 'message:video', 'message:video_note', 'message:animation', 'message:sticker', 'message:document'], async function sayWhatTheBotUnderstands(c) {
    if (!isAddressed(c)) return; // media shared between people in a group
    await replies.say(c, replies.texts(c, questionOf(c)).unsupportedMedia);
  });
  return composer;
}

/** The photo (or file) is over the byte limit: the user is told, nothing is fetched. */
export class FileTooBigError extends Error {
  constructor(readonly bytes: number | undefined) {
    super(bytes === undefined ? 'the file is too big' : `the file is too big (${bytes} bytes)`);
    this.name = 'FileTooBigError';
  }
}

/**
 * The largest size of a photo whose known size is at most `maxBytes` (a size Telegram did
 * not measure counts as fitting; the download is capped anyway), or undefined.
 * @example
 * choosePhotoSize(c.message.photo, 5 * 1024 * 1024)?.file_id;
 */
export function choosePhotoSize(sizes: readonly PhotoSize[], maxBytes: number): PhotoSize | undefined {
  let best: PhotoSize | undefined;
  for (const size of sizes) {
    if (size.file_size !== undefined && size.file_size > maxBytes) continue;
    if (!best || size.width * size.height > best.width * best.height) best = size;
  }
  return best;
}

export interface DownloadOptions {
  apiRoot: string;
  token: string;
  maxBytes: number;
  signal?: AbortSignal;
}

/**
 * Fetches a file the bot received: `getFile`, then `GET {apiRoot}/file/bot{token}/{file_path}`,
 * reading at most `maxBytes` (more → FileTooBigError). Errors never carry the URL (it holds the token).
 * @example
 * const bytes = await downloadFile(c.api, size.file_id, { apiRoot, token, maxBytes: 5_242_880 });
 */
export async function downloadFile(api: Api, fileId: string, { apiRoot, token, maxBytes, signal }: DownloadOptions): Promise<Buffer> {
  let file;
  try {
    // grammY types its signal with the abort-controller polyfill; Node's AbortSignal is what it uses.
    file = await api.getFile(fileId, signal as Parameters<Api['getFile']>[1]);
  } catch (err) {
    if (err instanceof GrammyError && /file is too big/i.test(err.description)) throw new FileTooBigError(undefined);
    throw err;
  }
  if (file.file_size !== undefined && file.file_size > maxBytes) throw new FileTooBigError(file.file_size);
  if (!file.file_path) throw new Error('getFile returned no file_path');
  let response: Response;
  try {
    response = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`, { signal });
  } catch (err) {
    // fetch's own message names no URL, but keep only the cause's message to be sure.
    throw new Error(`downloading the file failed: ${((err as Error)?.cause as Error | undefined)?.message ?? (err as Error)?.name ?? 'network error'}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`downloading the file failed: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new FileTooBigError(declared);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body) {
    total += part.byteLength;
    if (total > maxBytes) throw new FileTooBigError(total); // leaving the loop cancels the body
    parts.push(part);
  }
  return Buffer.concat(parts);
}

export interface PhotoAnswerOptions {
  config: Pick<TelegramConfig, 'apiRoot' | 'token' | 'photos'>;
  replies: Replies;
  /** Answers a question with images (answer.ts). */
  answer(c: Context, question: string, images: string[]): Promise<void>;
  logger: Logger;
  describeError(err: unknown): string;
}

/**
 * Builds the function that answers a photo: fetch it, then ask the model about it with
 * the caption (or `photoPrompt` when there is none).
 * @example
 * const answerPhoto = createPhotoAnswer({ config, replies, answer, logger, describeError });
 * await answerPhoto(c);
 */
export function createPhotoAnswer({ config, replies, answer, logger, describeError }: PhotoAnswerOptions) {
  const { maxBytes } = config.photos;
  const tooBig = (c: Context, caption: string) => replies.say(c, fillText(replies.texts(c, caption).photoTooBig, { megabytes: Math.round((maxBytes / (1024 * 1024)) * 10) / 10 }));
  return async function answerPhoto(c: Context): Promise<void> {
    const caption = questionOf(c);
    const size = choosePhotoSize(c.message?.photo ?? [], maxBytes);
    if (!size) return void (await tooBig(c, caption));
    let image: Buffer;
    try {
      image = await downloadFile(c.api, size.file_id, { apiRoot: config.apiRoot, token: config.token, maxBytes, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    } catch (err) {
      if (err instanceof FileTooBigError) {
        logger.info({ chatId: c.chat?.id, bytes: err.bytes }, 'Telegram: a photo over photos.maxBytes');
        return void (await tooBig(c, caption));
      }
      logger.warn({ chatId: c.chat?.id, error: describeError(err) }, 'Telegram: fetching a photo failed');
      return void (await replies.say(c, replies.texts(c, caption).errorGeneric));
    }
    await answer(c, caption || replies.texts(c).photoPrompt, [image.toString('base64')]);
  };
}
