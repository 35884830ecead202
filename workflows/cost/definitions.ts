/**
 * Charging a model call to its session and to its workspace's day. An update, not a
 * signal: the agent needs the new total back to hold its budgets. Its id is the call's,
 * so a retried charge is counted once.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { lazy } from '../../src/domain/lazy';

export const chargePayload = lazy(() =>
  z
    .object({
      agentId: z.string().min(1).max(200),
      callId: z.string().min(1).max(300),
      costUsd: z.number().min(0),
    })
    .strict(),
);
export type Charge = z.infer<typeof chargePayload>;

export interface ChargeAnswer {
  /** Everything charged so far. */
  totalUsd: number;
  /** The budget the total is held against, when there is one. */
  limitUsd?: number;
}

export const chargeUpdate = defineUpdate<ChargeAnswer, [unknown]>('charge');

export interface LedgerInput {
  workspace: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  totalUsd?: number;
  byAgent?: Record<string, number>;
  /** Call ids charged, carried across continue-as-new (src/domain/charged-calls.ts). */
  chargedCalls?: string[];
}
export type LedgerView = Required<Omit<LedgerInput, 'chargedCalls'>>;
export const ledgerQuery = defineQuery<LedgerView>('status');
