/**
 * Every subagent an agent started, as its state records them (`task_list`, `task_output`, the
 * status view), and the background ones it did not wait for: their watch, the message their
 * end sends the agent, their cancellation (`task_cancel`), and the end of a turn waiting for them.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig, AgentResult, Usage } from '../../src/domain/agent';
import type { AgentStatus } from '../../src/domain/status';
import {
  clipResult,
  finishMessage,
  listLine,
  outputText,
  RESULT_KEPT,
  runningInBackground,
  trimResults,
  type SubagentRecord,
} from '../../src/domain/subagent-records';
import { TASK_OUTPUT_WAIT_SECONDS } from '../../src/domain/task-tools';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import type { ToolArgs } from '../../src/domain/tools';
import { cancelSignal } from '../protocol';
import { childErrorText, failedResult, type AgentChild } from './child-agent';

export interface ChildrenHost {
  readonly config: AgentConfig;
  /** The state's records, carried across continue-as-new. */
  readonly records: SubagentRecord[];
  /** What a finished subagent used, its own subagents included. */
  finished(totals: Usage): void;
  /** A background subagent ended: a message for the agent's next turn, from `from`. */
  notify(text: string, from: string): void;
}

const LOST = 'cancelled: its parent run closed (continue-as-new) while it ran';

export class Children {
  /**
   * Background subagents start in this scope, not in the step that started them: the step ends
   * and they run on. The agent's own cancellation through Temporal (the root scope) reaches them.
   */
  private readonly scope = new wf.CancellationScope();
  private readonly handles = new Map<string, AgentChild>();
  /** `task_output` calls waiting for a subagent, by id: its end is their result, not a message as well. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly host: ChildrenHost) {
    // A run starts with no children: one its state still calls running was its previous run's,
    // cancelled as that run closed (continue-as-new waits for them, so this is a safety net).
    for (const r of runningInBackground(host.records))
      Object.assign(r, { status: 'cancelled', endedAt: new Date().toISOString(), output: LOST });
  }

  /** A subagent has started. */
  began(child: AgentConfig, background: boolean): SubagentRecord {
    const record: SubagentRecord = {
      id: child.id,
      name: child.name,
      background,
      status: 'running',
      startedAt: new Date().toISOString(),
    };
    this.host.records.push(record);
    return record;
  }

  /** A waited-for subagent ended: its result was the `task` call's. */
  ended(id: string, status: AgentStatus): void {
    const record = this.find(id);
    if (record) Object.assign(record, { status, endedAt: new Date().toISOString() });
  }

  /** Background subagents still running. */
  running(): SubagentRecord[] {
    return runningInBackground(this.host.records);
  }

  /**
   * Start a background subagent (`start` starts the child workflow) in the scope outside the
   * step, and watch it: its end records its result and sends the agent its finish message.
   */
  async startBackground(
    child: AgentConfig,
    start: () => Promise<AgentChild>,
    done: () => void,
  ): Promise<void> {
    const handle = await this.scope.run(start);
    this.began(child, true);
    this.handles.set(child.id, handle);
    void handle
      .result()
      .then(
        (result) => this.end(child.id, result.status, outcomeText(result), result.totals),
        (err: unknown) => {
          const failed = failedResult(err);
          const status = failed?.status ?? (isCancelled(err) ? 'cancelled' : 'failed');
          this.end(child.id, status, failed?.error ?? childErrorText(err), failed?.totals);
        },
      )
      .finally(done);
  }

  private end(id: string, status: AgentStatus, output: string | undefined, totals?: Usage): void {
    this.handles.delete(id);
    if (totals) this.host.finished(totals);
    const record = this.find(id);
    if (!record) return;
    const why =
      status === 'cancelled' && record.cancelReason ? `cancelled: ${record.cancelReason}` : undefined;
    Object.assign(record, {
      status,
      endedAt: new Date().toISOString(),
      output: clipResult(output || why || '', RESULT_KEPT) || undefined,
    });
    trimResults(this.host.records);
    // A task_output call waiting for it gives the model the same news.
    if (!this.waiting.get(id)) this.host.notify(finishMessage(record), id);
  }

  /**
   * The end of a turn while background subagents run: wait until one ends (its message starts
   * the next turn) or `interrupted` holds. False, at once, when none runs.
   */
  async untilOneEnds(interrupted: () => boolean): Promise<boolean> {
    const before = this.running().length;
    if (before === 0) return false;
    await wf.condition(() => interrupted() || this.running().length < before);
    return true;
  }

  /** `task_output`: a subagent's status, and its result once it has ended (waiting for it, if asked). */
  async output(args: ToolArgs<'task_output'>): Promise<ToolOutcome> {
    const record = this.find(args.id);
    if (!record) return this.unknown(args.id);
    if (record.status === 'running' && args.wait) {
      const seconds = args.timeoutSeconds ?? TASK_OUTPUT_WAIT_SECONDS;
      this.waiting.set(record.id, (this.waiting.get(record.id) ?? 0) + 1);
      try {
        await wf.condition(() => record.status !== 'running', seconds * 1000, {
          summary: `task_output ${record.id}`,
        });
      } finally {
        this.waiting.set(record.id, this.waiting.get(record.id)! - 1);
      }
      if (record.status === 'running')
        return { ok: true, output: `subagent ${record.id} is still running after ${seconds} s of waiting` };
    }
    return { ok: true, output: outputText(record) };
  }

  /** `task_cancel`: ask one background subagent, or all, to cancel, with a reason. */
  async cancel(args: ToolArgs<'task_cancel'>): Promise<ToolOutcome> {
    let targets: SubagentRecord[];
    if (args.id !== undefined) {
      const record = this.find(args.id);
      if (!record) return this.unknown(args.id);
      if (!record.background)
        return { ok: false, error: `subagent ${record.id} was not started in the background` };
      if (record.status !== 'running')
        return { ok: false, error: `subagent ${record.id} has already ended (${record.status})` };
      targets = [record];
    } else targets = this.running().filter((r) => r.cancelReason === undefined); // not asked twice
    if (targets.length === 0)
      return { ok: true, output: 'no background subagent is running (that was not asked to cancel already)' };
    const reason = args.reason ?? 'no reason given';
    const sent: string[] = [];
    await Promise.all(
      targets.map(async (record) => {
        record.cancelReason = reason;
        try {
          await this.handles.get(record.id)?.signal(cancelSignal, {
            reason: `cancelled by ${this.host.config.id}: ${reason}`,
          });
          sent.push(record.id);
        } catch {
          // It ended as the signal went out: its finish message says how.
        }
      }),
    );
    return {
      ok: true,
      output:
        `cancel sent to ${sent.join(', ') || 'none (they had just ended)'}; each stops at once and ends ` +
        'cancelled, and you get its finish message.',
    };
  }

  /** `task_list`: every subagent this agent started. */
  list(): ToolOutcome {
    const { records } = this.host;
    if (records.length === 0) return { ok: true, output: 'you have started no subagents' };
    return { ok: true, output: records.map(listLine).join('\n') };
  }

  private find(id: string): SubagentRecord | undefined {
    return this.host.records.find((r) => r.id === id);
  }

  private unknown(id: string): ToolOutcome {
    const known = this.host.records.map((r) => r.id);
    return {
      ok: false,
      error: `no subagent "${id}" of yours; ${known.length ? `yours: ${known.join(', ')}` : 'you have started none'}`,
    };
  }
}

/** What a background subagent's end says: its result, or why it did not complete. */
function outcomeText(result: AgentResult): string | undefined {
  return result.status === 'completed' ? result.result : result.error;
}

function isCancelled(err: unknown): boolean {
  return err instanceof wf.ChildWorkflowFailure && wf.isCancellation(err.cause);
}
