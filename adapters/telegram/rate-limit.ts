/**
 * The per-user limit on questions (`rateLimit: { messages, perSeconds }`): a sliding
 * window of question times per user, and a composer that answers "too many questions,
 * try again in N s" instead of passing the question on.
 */
import { Composer, type Context } from 'grammy';
import { fillText } from './config.js';
import { questionOf } from './addressing.js';
import type { Replies } from './replies.js';

/** Users tracked before those with nothing left in their window are forgotten. */
const FORGET_AFTER_USERS = 10_000;

/**
 * A sliding window of question times per user.
 * @example
 * const window = new QuestionWindow({ messages: 20, perSeconds: 60 });
 * window.take(userId); // 0, or seconds to wait
 */
export class QuestionWindow {
  private readonly recent = new Map<number, number[]>();
  private readonly windowMs: number;

  constructor(private readonly limit: { messages: number; perSeconds: number }) {
    this.windowMs = limit.perSeconds * 1000;
  }

  /** Seconds to wait when the user is over the limit, else 0 (and the question is counted). */
  take(userId: number, now = Date.now()): number {
    const recent = (this.recent.get(userId) ?? []).filter((at) => now - at < this.windowMs);
    this.recent.set(userId, recent);
    if (recent.length >= this.limit.messages) return Math.max(1, Math.ceil((this.windowMs - (now - recent[0])) / 1000));
    recent.push(now);
    if (this.recent.size > FORGET_AFTER_USERS) {
      // Forget users with nothing left in the window, so the map stays small.
      for (const [id, times] of this.recent) if (now - times[times.length - 1] >= this.windowMs) this.recent.delete(id);
    }
    return 0;
  }
}

/**
 * Refuses a question (text or a photo) over the user's limit, in the question's language.
 * @example
 * bot.use(addressedQuestions(), rateLimit({ messages: 20, perSeconds: 60 }, replies), conversations(...));
 */
export function rateLimit(limit: { messages: number; perSeconds: number }, replies: Replies): Composer<Context> {
  const window = new QuestionWindow(limit);
  const composer = new Composer<Context>();
  composer.on(['message:text', 'message:photo'], async function limitQuestions(c, next) {
    const wait = c.from ? window.take(c.from.id) : 0;
    if (wait === 0) return next();
    await replies.say(c, fillText(replies.texts(c, questionOf(c)).rateLimited, { seconds: wait }));
  });
  return composer;
}
