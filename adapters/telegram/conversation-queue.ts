/**
 * One answer at a time per conversation. Jobs of a conversation (answers, /reset) run
 * one after another — webhook mode has no `sequentialize`, and /reset must not clear a
 * memory an answer is still writing to. The running answer of a conversation can be
 * stopped (/stop), and at shutdown the queue lets answers finish before aborting them.
 */
import { Composer, type Context } from 'grammy';
import { KobzaError } from '../../core/index.js';
import { questionOf } from './addressing.js';
import { conversationOf } from './replies.js';

/** An answer being generated, as /stop and shutdown see it. */
export interface RunningAnswer {
  controller: AbortController;
  /** Settles once the answer (or what was written of it) is delivered. */
  finished: Promise<void>;
}

/** How long shutdown waits for answers it aborted to wind down. */
const ABORTED_GRACE_MS = 2000;

/**
 * The per-conversation job queue and the answers running in it.
 * @example
 * const queue = new ConversationQueue((err) => logger.error({ err }, 'a job failed'));
 * await queue.enqueue('tg:42', () => memory.reset('tg:42'));
 */
export class ConversationQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly jobs = new Set<Promise<void>>();
  private readonly answers = new Map<string, RunningAnswer>();

  constructor(private readonly onJobError: (err: unknown) => void) {}

  /** Answers being generated right now. */
  get activeAnswers(): number {
    return this.answers.size;
  }

  /** Runs `job` after the conversation's earlier jobs; never rejects (failures go to `onJobError`). */
  enqueue(key: string, job: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(job).catch(this.onJobError);
    this.tails.set(key, next);
    this.jobs.add(next);
    void next.finally(() => {
      this.jobs.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  /** Marks the conversation's answer as running; call `end` once it is delivered. */
  begin(key: string): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    this.answers.set(key, { controller, finished });
    return {
      signal: controller.signal,
      end: () => {
        if (this.answers.get(key)?.controller === controller) this.answers.delete(key);
        finish();
      },
    };
  }

  /** The conversation's running answer, if any. */
  running(key: string): RunningAnswer | undefined {
    return this.answers.get(key);
  }

  /** Lets jobs in progress finish for up to `timeoutMs` (their final text is delivered), then aborts the rest. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.jobs.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.jobs]), timeout]);
    clearTimeout(timer);
    for (const answer of this.answers.values()) answer.controller.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
    await Promise.race([Promise.allSettled([...this.jobs]), new Promise((resolve) => setTimeout(resolve, ABORTED_GRACE_MS).unref())]);
  }
}

export interface ConversationsOptions {
  queue: ConversationQueue;
  /** Generates and delivers the answer to one question. */
  answer(c: Context, question: string): Promise<void>;
  /** Fetches a photo and delivers the answer about it. */
  answerPhoto(c: Context): Promise<void>;
  /** Wait for the answer before the update counts as handled (polling keeps each chat in order that way). */
  waitForAnswer: boolean;
}

/**
 * The last composer: queues the question (text or a photo) in its conversation. Polling
 * waits for the answer (the runner keeps the chat's order by waiting); a webhook is
 * answered at once.
 * @example
 * bot.use(conversations({ queue, answer, answerPhoto, waitForAnswer: config.mode === 'polling' }));
 */
export function conversations({ queue, answer, answerPhoto, waitForAnswer }: ConversationsOptions): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text', async function queueQuestion(c) {
    const question = questionOf(c);
    const job = queue.enqueue(conversationOf(c), () => answer(c, question));
    if (waitForAnswer) await job;
  });
  composer.on('message:photo', async function queuePhoto(c) {
    const job = queue.enqueue(conversationOf(c), () => answerPhoto(c));
    if (waitForAnswer) await job;
  });
  return composer;
}
