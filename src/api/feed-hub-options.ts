/** What a feed hub is given, and what it counts of its calls to Temporal (feed-hub.ts). */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Orchestra } from '../sdk/orchestra';
import type { TemporalGate } from './temporal-gate';

/** Temporal calls the hub has made: what the cost test and the bench count. */
export interface FeedCalls {
  ticks: number;
  lists: number;
  describes: number;
  events: number;
  /** Time spent in ticks, in ms. */
  tickMs: number;
}

export interface FeedHubOptions {
  orchestra: Orchestra;
  client: Client;
  gate: TemporalGate;
  staleAfterMs: number;
  /** Each tick's Temporal calls end by this. */
  requestTimeoutMs: number;
  /** Time between ticks. */
  pollMs: number;
  log?: Logger;
  /** Frames kept for resuming. @default 10_000 */
  bufferSize?: number;
  /** How far before the last tick each list looks (clocks and the visibility store lag). @default 10_000 */
  overlapMs?: number;
  /** How long the hub goes on ticking after its last listener leaves. @default 30_000 */
  lingerMs?: number;
  /** Reads under way at once. @default 32 */
  concurrency?: number;
}
