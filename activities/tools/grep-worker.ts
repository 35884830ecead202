/**
 * Regular-expression matching off the event loop. A JavaScript regex can backtrack for
 * longer than anyone waits (`(a+)+$` on 28 "a"s and a "!" took 37 s, doubling with each "a"),
 * and on the worker's main thread that freezes every agent the worker serves. So grep's
 * matching runs in a worker thread, terminated when the call's time budget is spent or the
 * activity is cancelled: V8 interrupts a running regex on terminate.
 *
 * The thread's code is a string Node evaluates (`eval: true`): the same text runs from the TS
 * sources under jest and from dist/, with no file path to resolve and no transpiler involved.
 * Threads that finished in time are kept for the next call (a few, for a minute).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ToolError } from './sandbox';

const THREAD_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const decoder = new TextDecoder();
let compiled = { pattern: undefined, flags: undefined, regex: undefined };
parentPort.on('message', ({ pattern, flags, files, maxHits, preview }) => {
  if (compiled.pattern !== pattern || compiled.flags !== flags) {
    compiled = { pattern, flags, regex: new RegExp(pattern, flags) };
  }
  const hits = [];
  for (let f = 0; f < files.length && hits.length < maxHits; f++) {
    const text = decoder.decode(files[f]);
    if (text.includes('\u0000')) continue; // binary
    const lines = text.split('\n');
    for (let i = 0; i < lines.length && hits.length < maxHits; i++) {
      if (compiled.regex.test(lines[i])) hits.push([f, i + 1, lines[i].slice(0, preview)]);
    }
  }
  parentPort.postMessage(hits);
});
`;

/** Threads matching at once, over all calls: a swarm's greps queue rather than fill the memory. */
const MAX_BUSY_THREADS = Math.max(2, availableParallelism());
const MAX_IDLE_THREADS = 2;
const IDLE_MS = 60_000;
const idle: { thread: Worker; timer: NodeJS.Timeout }[] = [];
let busy = 0;
const waiting: (() => void)[] = [];

/** A matching line: the index of its file in the batch, its 1-based number, its text (cut). */
export type Hit = [file: number, line: number, text: string];

export interface MatchBatch {
  pattern: string;
  flags: string;
  /** The files' bytes; they are moved to the thread, not copied. */
  files: Uint8Array[];
  maxHits: number;
  /** Most characters of a matching line to send back. */
  preview: number;
}

/** One grep call's matching: one thread at a time, a time budget across all its batches. */
export class Matcher {
  private thread: Worker | undefined;
  private hasSlot = false;
  private spentMs = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly signal: AbortSignal,
  ) {}

  /** Lines of the batch that match; a ToolError once the budget is spent, the abort reason if cancelled. */
  async match(batch: MatchBatch): Promise<Hit[]> {
    this.signal.throwIfAborted();
    if (!this.hasSlot) {
      await takeSlot(this.signal); // the wait is not matching time
      this.hasSlot = true;
    }
    this.signal.throwIfAborted(); // from here to the listener below, nothing waits
    const thread = (this.thread ??= takeThread());
    thread.ref();
    const started = performance.now();
    try {
      return await new Promise<Hit[]>((resolve, reject) => {
        const done = (err: unknown, hits?: Hit[]) => {
          clearTimeout(timer);
          thread.off('message', onMessage).off('error', onError).off('exit', onExit);
          this.signal.removeEventListener('abort', onAbort);
          if (err === undefined) return resolve(hits ?? []);
          this.kill();
          reject(err);
        };
        const seconds = Math.round(this.budgetMs / 1000);
        const timer = setTimeout(
          () =>
            done(
              new ToolError(
                `pattern took longer than ${seconds}s; nested quantifiers such as (a+)+ can backtrack ` +
                  'without end: simplify the pattern or search fewer files',
              ),
            ),
          Math.max(0, this.budgetMs - this.spentMs),
        );
        const onMessage = (hits: Hit[]) => done(undefined, hits);
        const onError = (err: Error) => done(new ToolError(`grep failed: ${err.message}`));
        const onExit = (code: number) => done(new ToolError(`grep's matching thread stopped (${code})`));
        const onAbort = () => done(this.signal.reason);
        thread.on('message', onMessage).on('error', onError).on('exit', onExit);
        this.signal.addEventListener('abort', onAbort, { once: true });
        try {
          thread.postMessage(
            batch,
            batch.files.map((f) => f.buffer as ArrayBuffer),
          );
        } catch (err) {
          done(new ToolError(`grep failed: ${(err as Error).message}`));
        }
      });
    } finally {
      this.spentMs += performance.now() - started;
    }
  }

  /** The call is over: keep a thread that finished in time for the next call. */
  release(): void {
    const thread = this.thread;
    this.thread = undefined;
    if (this.hasSlot) giveSlot();
    this.hasSlot = false;
    if (!thread) return;
    if (idle.length >= MAX_IDLE_THREADS) {
      void thread.terminate();
      return;
    }
    thread.unref();
    const timer = setTimeout(() => {
      dropIdle(thread);
      void thread.terminate();
    }, IDLE_MS).unref();
    idle.push({ thread, timer });
  }

  private kill(): void {
    if (this.thread) void this.thread.terminate();
    this.thread = undefined;
  }
}

function takeSlot(signal: AbortSignal): Promise<void> {
  if (busy < MAX_BUSY_THREADS) {
    busy += 1;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const handOver = () => {
      signal.removeEventListener('abort', onAbort);
      resolve(); // the slot passes from the call that gave it: `busy` is unchanged
    };
    const onAbort = () => {
      waiting.splice(waiting.indexOf(handOver), 1);
      reject(signal.reason);
    };
    waiting.push(handOver);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function giveSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else busy -= 1;
}

function takeThread(): Worker {
  const kept = idle.pop();
  if (kept) {
    clearTimeout(kept.timer);
    return kept.thread;
  }
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    name: 'orchestra-grep',
    // A batch is a few MB; a thread that needs far more is failing, not working.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  // A thread's error is reported through 'error' while a batch waits for it; idle, it is dropped.
  thread.on('error', () => undefined);
  thread.once('exit', () => dropIdle(thread));
  return thread;
}

function dropIdle(thread: Worker): void {
  const at = idle.findIndex((entry) => entry.thread === thread);
  if (at >= 0) clearTimeout(idle.splice(at, 1)[0].timer);
}
