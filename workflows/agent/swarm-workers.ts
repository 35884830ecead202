/**
 * A supervisor's workers when its swarm runs them (`delegation.throughSwarm`: a swarm that gives
 * each worker that writes a tree of its own, workflows/swarm/delegated.ts). The `delegate` call
 * asks the swarm with the `delegate` signal and waits for its `delegated` answer: the worker's
 * result and where its work went. The worker is this agent's subagent in its records as any
 * other; it is the swarm's member otherwise: its usage is counted there, and the swarm's pause
 * and cancel reach it (a pause of this agent alone does not).
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import { delegatedPayload, delegatePayload, type DelegatedAnswer } from '../../src/domain/delegation';
import { swarmWorkflowId } from '../../src/domain/swarm';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import type { ToolArgs } from '../../src/domain/tools';
import { describeIssue } from '../../src/domain/zod-error';
import { installSignal, type Ignored } from '../control-handlers';
import { delegatedSignal, delegateSignal } from '../protocol';
import type { Children } from './children';

export class SwarmWorkers {
  /** Answers not yet read, by worker id. */
  private readonly answers = new Map<string, DelegatedAnswer>();
  /** The workers asked for and not yet answered: an answer for any other id is dropped. */
  private readonly waiting = new Set<string>();

  constructor(
    private readonly config: AgentConfig,
    private readonly children: Children,
    private readonly spawned: (child: AgentConfig) => void,
  ) {}

  install(ignored: Ignored): void {
    installSignal(
      delegatedSignal,
      delegatedPayload,
      (answer) => {
        if (this.waiting.has(answer.id)) this.answers.set(answer.id, answer);
        else ignored('delegated', `no worker ${answer.id} is waited for`);
      },
      ignored,
    );
  }

  /** Ask the swarm to run `child` on the delegation's task; its answer is the tool's result. */
  async run(child: AgentConfig, args: ToolArgs<'delegate'>): Promise<ToolOutcome> {
    const request = delegatePayload.safeParse({
      id: child.id,
      name: child.name,
      task: args.task,
      ...(args.worker ? { worker: args.worker } : {}),
    });
    if (!request.success) return { ok: false, error: `refused: ${describeIssue(request.error)}` };
    const { swarmId } = this.config;
    if (!swarmId) return { ok: false, error: 'refused: this agent has no swarm to run its workers' };
    this.waiting.add(child.id);
    try {
      await wf.getExternalWorkflowHandle(swarmWorkflowId(swarmId)).signal(delegateSignal, request.data);
    } catch (err) {
      this.waiting.delete(child.id);
      if (wf.isCancellation(err)) throw err;
      return { ok: false, error: `subagent ${child.id} did not start: ${(err as Error).message}` };
    }
    this.spawned(child);
    this.children.began(child, false);
    let answer: DelegatedAnswer | undefined;
    try {
      await wf.condition(() => this.answers.has(child.id));
      answer = this.answers.get(child.id)!;
      this.answers.delete(child.id);
    } finally {
      this.waiting.delete(child.id);
      // Cut off (this agent cancelled): its swarm cancels the worker as this agent ends.
      this.children.ended(child.id, answer?.status ?? 'cancelled');
    }
    return answer.ok ? { ok: true, output: answer.text } : { ok: false, error: answer.text };
  }
}
