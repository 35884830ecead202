/**
 * The feed (src/domain/feed.ts): one hub per API process, shared by every WebSocket and SSE
 * connection. Each tick (the API's pollMs) it asks the visibility store one question, what is
 * at work now and what started or closed since the last tick (src/temporal/changes.ts), and
 * reads only those: an agent or swarm at work gets a description (partial model text, and its
 * history length, which says whether there is anything new) and, when its history grew, one
 * events query; one that started, closed or stopped working is read once, then not again until
 * it shows up once more. Idle, paused, waiting and finished ones cost nothing per tick.
 *
 * Frames get increasing ids under a per-process epoch and are kept in a ring for resuming:
 * an id the ring still holds replays what came after it; any other id gets `resync`.
 * With nobody listening for `lingerMs`, the hub stops ticking and forgets.
 */
import {
  agentEventName,
  agentFrameData,
  FEED_EVENTS,
  SIGNED_OUT_REASON,
  swarmEventName,
  type AgentEvent,
  type FeedFrame,
  type SwarmEvent,
  tokensOf,
} from '../domain';
import { inspectWorkflow } from '../temporal/inspect';
import { AbortableCalls } from './abortable-calls';
import { notFound, toApiError } from './errors';
import { FeedRing } from './feed-ring';
import { FollowedTable, nudged, type Followed, type Kind } from './feed-followed';
import { nextTextPiece } from './model-text';
import { canSee, seenByAny, type Principal } from './principal';
import type { FeedCalls, FeedHubOptions } from './feed-hub-options';

export type { FeedCalls, FeedHubOptions };

/** How long one read may take before it is given up and asked again at a later tick. */
const READ_MS = 5_000;
/** One given up on after its tries is tried again this much later. */
const RETRY_LATER_MS = 30_000;
/** Events read per query: more waits for the next tick. */
const READ_LIMIT = 200;

export class FeedHub {
  readonly calls: FeedCalls = { ticks: 0, lists: 0, describes: 0, events: 0, tickMs: 0 };
  private readonly ring: FeedRing;
  /** Each connection's listener, and who it is for. */
  private readonly listeners = new Map<(frame: FeedFrame) => void, Principal>();
  private readonly followed = new FollowedTable();
  private since = 0;
  /** Where the first list looked from: what started after it is news from its first event. */
  private origin = 0;
  private running = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private linger?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** Reads under way, one per agent or swarm at most. */
  private readonly reading = new Map<Followed, Promise<void>>();
  /** Its Temporal calls: close ends those under way at once, not at their deadline (up to READ_MS). */
  private readonly temporal: AbortableCalls;

  /**
   * Lists look this far back: the visibility store can lag seconds behind under load, and an
   * agent that starts and ends inside the lag would never be listed (seen with 2 s). Those
   * listed again cost no reads: they are settled.
   */
  private readonly overlapMs: number;

  constructor(private readonly options: FeedHubOptions) {
    this.overlapMs = options.overlapMs ?? 10_000;
    this.ring = new FeedRing(options.bufferSize ?? 10_000);
    this.temporal = new AbortableCalls(options.client);
  }

  /** The id of the last frame sent: a client that resumes from it misses nothing. */
  get lastId(): string {
    return this.ring.lastId;
  }

  /** Whether the hub is ticking: someone listens, or did within `lingerMs` (tests and diagnostics). */
  get started(): boolean {
    return this.running;
  }

  /**
   * Whether the hub still owes a read of this agent or swarm (tests and diagnostics): one
   * under way or due (a retry, more events, one that could not start). False once all of it
   * is read, or given up on for now.
   */
  owes(kind: 'agent' | 'swarm', id: string): boolean {
    const f = this.followed.get(kind, id);
    return f !== undefined && (this.reading.has(f) || !!f.retries || !!f.more || !!f.dirty);
  }

  /**
   * A connection for `principal`: `send` gets `hello`, then what came after `after` (or
   * `resync` when that is no longer held), then every new frame the principal may see.
   */
  open(principal: Principal, after: string | undefined, send: (frame: FeedFrame) => void): () => void {
    const visible = (f: FeedFrame) => this.visibleTo(principal, f);
    const own = (event: string, data: Record<string, unknown>) => this.own(event, data);
    send(
      own(FEED_EVENTS.hello, {
        user: principal.user,
        workspaces: principal.workspaces,
        admin: principal.admin,
      }),
    );
    if (after !== undefined) {
      const missed = this.replay(after);
      if (!missed)
        send(own(FEED_EVENTS.resync, { after, reason: 'that id is not held: read the lists again' }));
      else for (const f of missed) if (visible(f)) send(f);
    }
    const listener = (f: FeedFrame) => {
      if (visible(f)) send(f);
    };
    this.listeners.set(listener, principal);
    clearTimeout(this.linger);
    if (!this.running && !this.closed) this.start();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      clearTimeout(this.linger);
      this.linger = setTimeout(() => this.stop(), this.options.lingerMs ?? 30_000);
      this.linger.unref();
    };
  }

  /** A frame of the feed's own (hello, resync, signed_out, ...), at the last frame's id: resuming from it misses nothing. */
  own(event: string, data: Record<string, unknown>): FeedFrame {
    return { id: this.lastId, event, source: 'feed', data };
  }

  /** The last frame of a connection whose sign-in ended (WebSocket or SSE). */
  signedOut(): FeedFrame {
    return this.own(FEED_EVENTS.signedOut, { reason: SIGNED_OUT_REASON });
  }

  /**
   * The frames after `after` (up to `through`, when given), or undefined when the ring does not
   * hold them all: an id of another epoch, one older than the ring, or not an id at all.
   */
  replay(after: string, through?: string): FeedFrame[] | undefined {
    return this.ring.replay(after, through);
  }

  /** Whether `principal` gets `frame`: the feed's own frames, and those of the workspaces they see. */
  visibleTo(principal: Principal, frame: FeedFrame): boolean {
    return frame.source === 'feed' || canSee(principal, frame.workspace);
  }

  /** Read `kind` `id` for the next couple of seconds: it was just steered here, and may change between two idle states. */
  poke(kind: Kind, id: string): void {
    if (!this.running) return;
    const f = this.followed.follow(kind, id, Date.now() - this.overlapMs);
    f.pokedUntil = Date.now() + Math.max(2_000, 4 * this.options.pollMs);
  }

  /**
   * The workspaces someone listens to (undefined: every one, for an admin): only their agents
   * are listed and read. On a shared server, reading every workspace's busy agents took the
   * reads the listeners' own needed.
   */
  private scope(): string[] | undefined {
    return seenByAny(this.listeners.values());
  }

  /** Stop for good (the API shuts down). */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    this.temporal.abortAll();
    await this.ticking;
    await Promise.all(this.reading.values());
  }

  private start(): void {
    this.running = true;
    this.since = Date.now() - this.overlapMs;
    this.origin = this.since;
    this.schedule(0);
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.linger);
    // What happens while nobody listens is not kept: ids from before get resync.
    this.ring.clear();
    this.followed.clear();
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.ticking = this.tick(started).finally(() => {
        this.ticking = undefined;
        if (this.running) this.schedule(Math.max(0, this.options.pollMs - (Date.now() - started)));
      });
    }, delay);
    this.timer.unref();
  }

  private async tick(now: number): Promise<void> {
    if (this.options.gate.down) return; // the gate's 503s say so; the next tick after it is back catches up
    this.calls.ticks += 1;
    try {
      await this.temporal.run(now + this.options.requestTimeoutMs, () => this.look(now));
      this.since = now - this.overlapMs;
    } catch (err) {
      this.options.log?.warn({ err }, 'the feed could not list what changed; it tries again next tick');
    } finally {
      this.calls.tickMs += Date.now() - now;
    }
  }

  /**
   * One tick: the list, then the reads it calls for, started and not waited for: a read waits
   * while its workflow is busy (a description or query waits for the workflow's lock), and one
   * busy agent must not hold up the others. One read per agent at a time, `concurrency` in all;
   * what cannot start now is marked and read at a later tick.
   */
  private async look(now: number): Promise<void> {
    const since = this.since;
    const changes = await this.options.orchestra.changes(
      new Date(since),
      () => (this.calls.lists += 1),
      this.scope(),
    );
    const listed = new Set<Followed>();
    // Settling reads (one that started, stopped or closed: read once) go before the reads of
    // those at work (every tick): with more at work than the read slots, a short agent's events
    // would otherwise wait behind them for good, and one that closed never shows up again.
    const settles: Array<{ f: Followed; run: () => Promise<void> }> = [];
    const lives: typeof settles = [];
    for (const c of changes) {
      // Listed late (a loaded visibility store lags past the overlap), one started since the hub
      // looked is still news: no page's list had it. Only what came before the hub looked is not.
      const news = c.startedAt.getTime() > this.origin;
      const f = this.followed.follow(c.kind, c.id, news ? undefined : this.origin);
      listed.add(f);
      f.workspace = c.workspace;
      f.owner = c.owner;
      f.closedAt = c.closedAt?.getTime();
      const wasActive = f.active;
      f.active = c.active;
      const signature = `${c.temporalStatus}/${c.status}`;
      if (c.active) lives.push({ f, run: () => this.readLive(f) });
      else if (nudged(f, now) || wasActive || f.more || f.dirty || f.settled !== signature)
        settles.push({ f, run: () => this.settle(f, signature) });
    }
    for (const f of this.followed.values()) {
      if (listed.has(f)) continue;
      // It stopped working (idle, paused, waiting): read once more for how it ended up.
      const wasActive = f.active;
      f.active = false;
      if (nudged(f, now) || wasActive || f.more || f.dirty || f.retries)
        settles.push({ f, run: () => this.settle(f, f.settled) });
    }
    const limit = this.options.concurrency ?? 32;
    for (const { f, run } of [...settles, ...lives]) {
      if (this.reading.has(f) || this.reading.size >= limit) {
        f.dirty = true;
        continue;
      }
      f.dirty = false;
      // A read of its own deadline, shorter than the tick's: one that meets its workflow as it
      // closes can wait out the server's query timeout; given up, it is asked again next tick.
      const until = Date.now() + Math.min(READ_MS, this.options.requestTimeoutMs);
      this.reading.set(
        f,
        this.temporal.run(until, run).finally(() => this.reading.delete(f)),
      );
    }
    // No list looks further back than the overlap: a closed one past ten of them cannot show up again.
    this.followed.prune(now - 10 * this.overlapMs - this.options.pollMs);
  }

  /** One at work: its description every tick, its events when its history grew. */
  private async readLive(f: Followed): Promise<void> {
    try {
      this.calls.describes += 1;
      const inspection = await inspectWorkflow(
        this.options.client,
        f.workflowId,
        () => notFound(f.kind, f.id),
        this.options.staleAfterMs,
      );
      if (inspection.historyLength !== f.historyLength || f.more) {
        await this.readEvents(f);
        f.historyLength = inspection.historyLength;
      }
      const piece = f.kind === 'agent' ? nextTextPiece(f.text, inspection) : undefined;
      if (piece) {
        f.text = piece.cursor;
        this.emit(f, 'model_text', piece.data);
      }
    } catch (err) {
      this.failed(f, err);
    }
  }

  /** One that started, closed or stopped working: its events once, remembered as read in that state. */
  private async settle(f: Followed, signature: string | undefined): Promise<void> {
    try {
      await this.readEvents(f);
      f.settled = signature;
      f.retries = undefined;
    } catch (err) {
      this.failed(f, err, signature);
    }
  }

  private failed(f: Followed, err: unknown, signature?: string): void {
    if (toApiError(err).status === 404) {
      this.followed.forget(f);
      return;
    }
    // One that ended never shows up in a list again: it is read until its last events are out
    // (a query that meets a workflow as it closes can time out, more so on a busy machine).
    f.retries = f.retries === undefined ? (f.closedAt === undefined ? 3 : 20) : f.retries - 1;
    if (f.retries <= 0) {
      // Given up for now: read again once it changes, is poked, or in RETRY_LATER_MS, not at
      // every tick while no worker can answer for it (an idle agent whose worker is gone would
      // cost a read a tick forever), yet not never (what it missed under load still comes).
      f.retries = undefined;
      f.dirty = false; // a tick that came while the last try waited asked for another
      f.retryAt = Date.now() + RETRY_LATER_MS;
      if (signature !== undefined) f.settled = signature;
    }
    this.options.log?.debug({ err, workflowId: f.workflowId }, 'the feed could not read it this tick');
  }

  private async readEvents(f: Followed): Promise<void> {
    this.calls.events += 1;
    const { orchestra } = this.options;
    const events: Array<AgentEvent | SwarmEvent> =
      f.kind === 'agent'
        ? await orchestra.agents.events(f.id, f.after, READ_LIMIT)
        : await orchestra.swarms.events(f.id, f.after, READ_LIMIT);
    f.more = events.length === READ_LIMIT;
    for (const e of events) {
      f.after = e.seq;
      // Kept from events that are not news too: a later tool result's totals are from before.
      if (f.kind === 'agent') f.tokens = tokensOf(e as AgentEvent) ?? f.tokens;
      if (f.baseline !== undefined && Date.parse(e.at) < f.baseline) continue;
      if (f.kind === 'agent')
        this.emit(f, agentEventName(e as AgentEvent), agentFrameData(e as AgentEvent, f.tokens));
      else this.emit(f, swarmEventName(e as SwarmEvent), e as unknown as Record<string, unknown>);
    }
    if (!f.more) f.baseline = undefined;
  }

  private emit(f: Followed, event: string, data: Record<string, unknown>): void {
    const frame = this.ring.push({
      event,
      source: f.kind,
      subject: f.id,
      ...(f.workspace === undefined ? {} : { workspace: f.workspace }),
      ...(f.owner === undefined ? {} : { owner: f.owner }),
      data,
    });
    for (const listener of this.listeners.keys()) listener(frame);
  }
}
