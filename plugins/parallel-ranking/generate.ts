/**
 * Drafting: runs the rest of the pipeline N times for one request, with spread sampling, a
 * concurrency limit (the upstream has only so many parallel slots) and a deadline. Each
 * draft has its own AbortController linked to the request's signal, so the deadline can
 * cancel one draft while a client going away cancels them all.
 */
import { collectReply, KobzaError, wrapError, type ChatRequest, type GenerationOptions, type Reply, type ReplyMeta } from '../../core/index.js';

declare module '../../core/types.js' {
  interface RequestMetadata {
    /** Set on each draft's request: which draft (0-based) this run of the pipeline is. */
    rankingDraft?: number;
  }
}

/** Sampling settings for one draft; merged over the request's own options. */
export type SamplingVariant = Pick<GenerationOptions, 'temperature' | 'top_p' | 'top_k' | 'min_p' | 'repeat_penalty'>;

export interface DraftPlan {
  /** How many drafts. */
  count: number;
  /** How many drafts run at once; the rest wait for a free slot. */
  concurrency: number;
  /** After this many ms, rank what has finished (at least one) and abort the rest; 0 = no deadline. */
  deadlineMs: number;
  /** Draft i uses `variants[i % variants.length]`. */
  variants: readonly SamplingVariant[];
  /** `spread`: draft i gets seed base+i (base = the request's seed or one derived from its id); `keep`: leave seeds alone. */
  seeds: 'spread' | 'keep';
}

/** What became of one draft. */
export interface Draft {
  index: number;
  options: GenerationOptions;
  /** `done`: finished; `failed`: errored; `aborted`: cut at the deadline; `skipped`: never started. */
  status: 'done' | 'failed' | 'aborted' | 'skipped';
  text: string;
  meta?: ReplyMeta;
  error?: KobzaError;
  durationMs: number;
}

export interface DraftOutcome {
  drafts: Draft[];
  /** True when the deadline cut the round short. */
  deadlineHit: boolean;
}

/** A stable 31-bit seed from a request id, so a request without a seed still spreads. */
function seedFromId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 1_000_000;
}

/**
 * The generation options of draft `index`.
 * @example
 * draftOptions({ num_predict: 400, seed: 7 }, plan, 1, 'req-1') // { num_predict: 400, seed: 8, temperature: 0.7, top_p: 0.95 }
 */
export function draftOptions(base: GenerationOptions, plan: Pick<DraftPlan, 'variants' | 'seeds'>, index: number, requestId: string): GenerationOptions {
  const variant = plan.variants.length > 0 ? plan.variants[index % plan.variants.length] : {};
  const options: GenerationOptions = { ...base, ...variant };
  if (plan.seeds === 'spread') options.seed = (base.seed ?? seedFromId(requestId)) + index;
  return options;
}

/** Runs one draft through `fork`; the signal is the draft's own. */
export type RunDraft = (request: ChatRequest) => Promise<{ text: string; meta: ReplyMeta }>;

/**
 * Runs the drafts of a plan and resolves when all finished, or when the deadline passed and
 * at least one has finished (the others are aborted, without waiting for them to unwind).
 * Rejects with ABORTED when the request's own signal fires.
 * @example
 * const { drafts } = await runDrafts(request, (draft) => next.fork(draft).then(collectReply), plan);
 */
export function runDrafts(request: ChatRequest, run: RunDraft, plan: DraftPlan): Promise<DraftOutcome> {
  const started = Date.now();
  const drafts: Draft[] = Array.from({ length: plan.count }, (_, index) => ({
    index,
    options: draftOptions(request.options, plan, index, request.id),
    status: 'skipped' as const,
    text: '',
    durationMs: 0,
  }));
  const controllers = new Map<number, AbortController>();
  const running = new Set<number>();
  let nextToStart = 0;
  let finishedCount = 0;
  let deadlinePassed = false;
  let settled = false;

  return new Promise<DraftOutcome>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;

    const stopRunning = (reason: KobzaError) => {
      for (const index of running) {
        drafts[index].status = 'aborted';
        drafts[index].error = reason;
        drafts[index].durationMs = Date.now() - started;
        controllers.get(index)?.abort(reason);
      }
      running.clear();
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onRequestAbort);
      stopRunning(new KobzaError('ABORTED', `ranking deadline of ${plan.deadlineMs} ms passed`, { requestId: request.id }));
      resolve({ drafts, deadlineHit: deadlinePassed && drafts.some((d) => d.status === 'aborted' || d.status === 'skipped') });
    };

    const onRequestAbort = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopRunning(new KobzaError('ABORTED', 'the request was aborted', { requestId: request.id }));
      reject(new KobzaError('ABORTED', 'the request was aborted while ranking drafts were generated', { requestId: request.id, cause: request.signal.reason }));
    };

    const startDraft = (index: number) => {
      const controller = new AbortController();
      controllers.set(index, controller);
      running.add(index);
      const draftStarted = Date.now();
      const derived: ChatRequest = {
        ...request,
        options: drafts[index].options,
        metadata: { ...request.metadata, rankingDraft: index },
        signal: AbortSignal.any([request.signal, controller.signal]),
      };
      let attempt: Promise<{ text: string; meta: ReplyMeta }>;
      try {
        attempt = run(derived);
      } catch (err) {
        attempt = Promise.reject(err);
      }
      attempt.then(
        ({ text, meta }) => {
          if (settled || !running.has(index)) return;
          running.delete(index);
          Object.assign(drafts[index], { status: 'done', text, meta, durationMs: Date.now() - draftStarted });
          finishedCount++;
          advance();
        },
        (err: unknown) => {
          if (settled || !running.has(index)) return;
          running.delete(index);
          Object.assign(drafts[index], { status: 'failed', error: wrapError(err, request.id), durationMs: Date.now() - draftStarted });
          advance();
        },
      );
    };

    /** Starts what may start, and finishes when there is nothing left worth waiting for. */
    const advance = () => {
      if (settled) return;
      if (deadlinePassed && finishedCount > 0) return finish();
      // After the deadline a queued draft starts only if nothing else could still produce an answer.
      const mayStart = () => (deadlinePassed ? running.size === 0 : running.size < plan.concurrency);
      while (nextToStart < plan.count && mayStart()) startDraft(nextToStart++);
      if (running.size === 0 && nextToStart >= plan.count) finish();
    };

    if (request.signal.aborted) return onRequestAbort();
    request.signal.addEventListener('abort', onRequestAbort, { once: true });
    if (plan.deadlineMs > 0) {
      timer = setTimeout(() => {
        deadlinePassed = true;
        advance();
      }, plan.deadlineMs);
    }
    advance();
  });
}

/**
 * Collects a draft's reply (the usual `RunDraft` body).
 * @example
 * runDrafts(request, (draft) => collectDraft(next.fork(draft)), plan)
 */
export async function collectDraft(reply: Promise<Reply>): Promise<{ text: string; meta: ReplyMeta }> {
  return collectReply(await reply);
}
