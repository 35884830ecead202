/**
 * The I/O behind governance: reading the project's context files, charging a model call
 * to its session and its workspace's day, and looking up a registry entry on the worker.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  LEDGER_QUEUE,
  ledgerWorkflowId,
  redactSecrets,
  resolveProfile,
  sessionWorkflowId,
  type Charge,
  type ChargeAnswer,
  type ContextFile,
  type OrchestraFile,
  type ResolvedProfile,
} from '../src/domain';
import { ownershipAttributes } from '../src/domain/search-attributes';
import { openFile } from './tools/safe-open';
import { chargeUpdate } from '../workflows/protocol';
import type { costLedgerWorkflow } from '../workflows/cost/ledger';

/** The files an agent is told about, in this order. */
export const CONTEXT_FILES = ['AGENTS.md', 'README.md'];

export interface ReadContextFilesInput {
  cwd: string;
  maxChars: number;
  /** Secret patterns to redact, when the redactor is on. */
  redact?: { patterns: string[] };
}

/**
 * The context files, opened as the file tools open files (tools/safe-open.ts): one that is a
 * link, a FIFO or a hard link is passed over, never waited on; only the head that is shown is read.
 */
export async function readContextFiles(input: ReadContextFilesInput): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const name of CONTEXT_FILES) {
    const head = await readHead(input.cwd, name, input.maxChars).catch(() => undefined);
    if (!head?.text.trim()) continue;
    const { text, more } = head;
    const capped = more || text.length > input.maxChars ? `${text.slice(0, input.maxChars)}\n… [cut]` : text;
    const content = input.redact ? redactSecrets(capped, input.redact.patterns).text : capped;
    files.push({ name, content });
  }
  return files;
}

/** The first `maxChars` characters of a file at most (a character is at most 3 UTF-8 bytes per UTF-16 unit). */
async function readHead(
  cwd: string,
  name: string,
  maxChars: number,
): Promise<{ text: string; more: boolean }> {
  const { handle, stats } = await openFile(cwd, name, 'read');
  try {
    const buffer = Buffer.alloc(Math.min(stats.size, maxChars * 3));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { text: buffer.subarray(0, filled).toString('utf8'), more: stats.size > filled };
  } finally {
    await handle.close();
  }
}

export interface ChargeCostInput {
  agentId: string;
  /** Unique per model call: a retried charge is counted once. */
  callId: string;
  costUsd: number;
  workspace: string;
  day: string;
  sessionId?: string;
}

export interface ChargeCostResult {
  day: ChargeAnswer;
  session?: ChargeAnswer;
}

export async function chargeCost(input: ChargeCostInput): Promise<ChargeCostResult> {
  const { client, cancellationSignal } = Context.current();
  // A worker shutting down cancels this; the update's long poll must end with it.
  return client.withAbortSignal(cancellationSignal, () => chargeLedgers(client, input));
}

async function chargeLedgers(client: Client, input: ChargeCostInput): Promise<ChargeCostResult> {
  const charge = { agentId: input.agentId, callId: input.callId, costUsd: input.costUsd };
  // The day and the session are charged at once: each is an Update that waits for a workflow task.
  const [day, session] = await Promise.all([
    client.workflow.executeUpdateWithStart(chargeUpdate, {
      args: [charge],
      updateId: input.callId,
      startWorkflowOperation: new WithStartWorkflowOperation<typeof costLedgerWorkflow>(
        'costLedgerWorkflow',
        {
          workflowId: ledgerWorkflowId(input.workspace, input.day),
          taskQueue: LEDGER_QUEUE,
          args: [{ workspace: input.workspace, day: input.day }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: ownershipAttributes({ workspace: input.workspace }),
          staticSummary: `cost of workspace ${input.workspace} on ${input.day}`,
        },
      ),
    }),
    chargeSession(client, input, charge),
  ]);
  return { day, session };
}

async function chargeSession(client: Client, input: ChargeCostInput, charge: Charge) {
  if (!input.sessionId) return undefined;
  return client.workflow
    .getHandle(sessionWorkflowId(input.sessionId))
    .executeUpdate(chargeUpdate, { args: [charge], updateId: input.callId })
    .catch((err: unknown) => {
      // A session that has ended holds no budget any more.
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
}

/** A registry entry as this worker's config file has it (the `task` tool's `agent`). */
export function createLookupAgent(file: OrchestraFile, defaultModel: string) {
  return async function lookupAgent(input: { name: string }): Promise<ResolvedProfile> {
    try {
      return resolveProfile(input.name, file, defaultModel);
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, 'UnknownAgentProfile');
    }
  };
}
