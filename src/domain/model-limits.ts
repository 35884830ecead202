/**
 * What a worker's model-call limiter reports (activities/model-limiter.ts): how many calls it
 * let through, how long they waited, the provider's 429s and 529s, and the concurrency it
 * allows now. `orchestra limits`, GET /api/v1/limits and the bench show it. Schemas are
 * built on first use (lazy.ts): workflows import this module. Pure.
 */
import { z } from 'zod';
import { lazy } from './lazy';

export const limiterFiguresSchema = lazy(() =>
  z
    .object({
      max: z.number().int().describe('The most calls at once it ever allows (ORCHESTRA_MODEL_CONCURRENCY)'),
      limit: z
        .number()
        .int()
        .describe('The calls at once it allows now: cut on 429/529, climbing back on successes'),
      lowest: z.number().int().describe('The lowest `limit` since the worker started'),
      inFlight: z.number().int().describe('Calls running now'),
      queued: z.number().int().describe('Calls waiting for their turn now'),
      calls: z.number().int().describe('Calls let through since the worker started'),
      ok: z.number().int().describe('Calls that ended with a reply'),
      rateLimited: z.number().int().describe('429 answers (rate limited)'),
      overloaded: z.number().int().describe('529 answers (overloaded)'),
      cuts: z.number().int().describe('Times the limit was cut'),
      waits: z
        .object({
          count: z.number().int().describe('Calls that had to wait for their turn'),
          totalMs: z.number().describe('Their waits, added up'),
          lastMs: z.number().describe('The last one'),
          maxMs: z.number().describe('The longest one'),
        })
        .strict(),
      pausedUntil: z
        .string()
        .nullable()
        .describe("No call starts before this (ISO time): the provider's retry-after; null when not paused"),
    })
    .strict(),
);
export type LimiterFigures = z.infer<typeof limiterFiguresSchema>;

/**
 * The fleet's model-call rate (ORCHESTRA_MODEL_RPM), kept by the Temporal server on the model
 * queue and adapted by the workers (activities/fleet-rate.ts). Calls a minute throughout.
 */
export const fleetRateSchema = lazy(() =>
  z
    .object({
      taskQueue: z.string().describe('The queue whose rate the server keeps (`<queue>-model`)'),
      configured: z.number().describe("The most: the answering worker's ORCHESTRA_MODEL_RPM"),
      floor: z.number().describe('The least a cut leaves'),
      current: z
        .number()
        .nullable()
        .describe('What the server allows now; null when it could not be read (see `error`)'),
      lowest: z.number().describe('The lowest rate the answering worker saw or set since it started'),
      cooldownMs: z
        .number()
        .describe('The least time between a change and the next cut or raise, fleet-wide'),
      lastChange: z
        .object({
          at: z.string().describe("When (ISO time, the server's clock)"),
          reason: z.string().describe('Why, as the changer wrote it'),
          by: z.string().describe('Who changed it (a worker, pid@host; or an operator)'),
        })
        .strict()
        .nullable()
        .describe(
          "The server's record of the last change; null: never changed (the workers' own limit holds)",
        ),
      cuts: z.number().int().describe('Cuts the answering worker made'),
      raises: z.number().int().describe('Raises the answering worker made'),
      error: z.string().optional().describe('Why the server could not be read, when it could not'),
    })
    .strict(),
);
export type FleetRateFigures = z.infer<typeof fleetRateSchema>;

/** A rate of calls a minute as a person reads it: 600, 37.5, 1.46 (three figures at most). */
export const shownRate = (perMinute: number): string => String(Number(perMinute.toPrecision(3)));

/** One worker's limiter, as it answered. */
export const workerLimitsSchema = lazy(() =>
  z
    .object({
      worker: z.string().describe('The answering worker (pid@host)'),
      at: z.string().describe('When it answered (ISO time)'),
      model: limiterFiguresSchema,
      fleet: fleetRateSchema
        .nullable()
        .describe('The fleet-wide rate; null when ORCHESTRA_MODEL_RPM is not set'),
    })
    .strict(),
);
export type WorkerLimits = z.infer<typeof workerLimitsSchema>;

/** What `orchestra limits` and GET /api/v1/limits show: one worker's view, and how many poll the queue. */
export const limitsViewSchema = lazy(() =>
  workerLimitsSchema
    .extend({
      taskQueue: z.string(),
      workers: z
        .number()
        .int()
        .describe("Workers polling the task queue now: the figures are the answering one's alone"),
    })
    .strict(),
);
export type LimitsView = z.infer<typeof limitsViewSchema>;
