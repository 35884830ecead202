/**
 * Isolation "copy": each coding member works in a copy of cwd (src/domain/copies.ts says where,
 * and why there); when its strategy takes its work, what it changed is copied back into cwd,
 * all of it or, when cwd changed one of those files meanwhile, none (a conflict: its copy is kept
 * and the files named). Every step is an idempotent activity (activities/copies.ts). The same
 * interface as git worktrees (isolation.ts), so strategies do not tell them apart.
 */
import * as wf from '@temporalio/workflow';
import { CopyFailure, memberCopyPath, type PreparedCopies } from '../../src/domain/copies';
import type { SwarmInput } from '../../src/domain/swarm';
import type { Landing, SwarmAgent } from '../../src/domain/swarm-outcome';
import type * as copies from '../../activities/copies';
import { failureType, reason } from './git-steps';
import type { IsolationHost, IsolationView, MemberIsolation } from './isolation';

const steps = wf.proxyActivities<typeof copies>({
  startToCloseTimeout: '10 minutes',
  // The walks and copies heartbeat every 2 s; a worker that died mid-step is noticed within this.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '20 seconds',
    // A disk error may pass (a full disk, a busy file); five tries, then the member's work is kept.
    maximumAttempts: 5,
    nonRetryableErrorTypes: Object.values(CopyFailure),
  },
});

const nonCancellable = <T>(fn: () => Promise<T>): Promise<T> => wf.CancellationScope.nonCancellable(fn);

interface Member {
  agent: SwarmAgent;
  path: string;
  /** Its copy was made whole: the member may have work in it. */
  placed: boolean;
  files?: string[];
  diffing?: Promise<void>;
  /** A step failed for it: its copy is kept as it is, with the reason. */
  error?: string;
}

export class Copies implements MemberIsolation {
  readonly kind = 'copy';
  private readonly members = new Map<string, Member>();
  /** Copy-backs go one at a time: each compares cwd with what its member started from. */
  private merging: Promise<unknown> = Promise.resolve();
  private copiedBack = 0;

  private constructor(
    private readonly input: SwarmInput,
    private readonly prepared: PreparedCopies,
    private readonly host?: IsolationHost,
  ) {}

  /** The swarm's copies directory, or the reason there is none (cwd too big to copy, say). */
  static async open(input: SwarmInput, host?: IsolationHost): Promise<Copies | { refused: string }> {
    try {
      const prepared = await steps.prepareSwarmCopies({ cwd: input.cwd, swarmId: input.id });
      return new Copies(input, prepared, host);
    } catch (err) {
      const type = failureType(err);
      if (type && (Object.values(CopyFailure) as string[]).includes(type))
        return { refused: `copy mode: ${reason(err)}` };
      throw err;
    }
  }

  private step(agent: SwarmAgent) {
    return { cwd: this.prepared.cwd, swarmId: this.input.id, member: agent.id };
  }

  async place(agent: SwarmAgent, config: { cwd: string }): Promise<string | undefined> {
    // Known before it is made, so the close removes whatever a failed copy left.
    const member: Member = {
      agent,
      path: memberCopyPath(this.prepared.cwd, this.input.id, agent.id),
      placed: false,
    };
    this.members.set(agent.id, member);
    try {
      const copy = await nonCancellable(() => steps.addMemberCopy(this.step(agent)));
      member.placed = true;
      config.cwd = copy.path;
      return undefined;
    } catch (err) {
      return `no copy for it: ${reason(err)}`;
    }
  }

  /** The member has ended: whether it changed anything in its copy ('kept' until copied back) or not. */
  commit(agent: SwarmAgent): Promise<void> {
    const member = this.members.get(agent.id);
    if (!member?.placed) return Promise.resolve();
    member.diffing ??= nonCancellable(() => steps.diffMemberCopy(this.step(agent))).then(
      ({ changed }) => void (agent.landed = changed.length > 0 ? 'kept' : 'empty'),
      (err: unknown) => {
        member.error = `its copy could not be read: ${reason(err)}`;
        agent.landed = 'kept';
      },
    );
    return member.diffing;
  }

  /** Its changes copied back into cwd: all of them ('merged'), or none and a conflict with the files. */
  merge(agent: SwarmAgent): Promise<Landing> {
    const member = this.members.get(agent.id);
    if (!member || agent.landed === 'empty' || agent.landed === undefined) return Promise.resolve('empty');
    if (member.error) return Promise.resolve('kept');
    const run = this.merging.then(() =>
      nonCancellable(async (): Promise<Landing> => {
        try {
          const back = await steps.copyBackMember(this.step(agent));
          if (back.copied) {
            this.copiedBack += back.files.length;
            return this.landed(agent, 'merged');
          }
          member.files = back.files;
          return this.landed(agent, 'conflict', { files: back.files });
        } catch (err) {
          member.error = `its work could not be copied back: ${reason(err)}`;
          return this.landed(agent, 'kept', { reason: member.error });
        }
      }),
    );
    this.merging = run.catch(() => undefined);
    return run;
  }

  /** Members' work is copied back into cwd: an agent working beside them works there. */
  share(): string {
    return this.input.cwd;
  }

  private landed(agent: SwarmAgent, landed: Landing, more: { files?: string[]; reason?: string } = {}) {
    agent.landed = landed;
    this.host?.record({ type: 'landed', agentId: agent.id, landed, ...more });
    return landed;
  }

  /** Copies removed once their work is in cwd (or there was none); the others kept, for a person. */
  async close(): Promise<IsolationView> {
    await this.merging;
    for (const m of this.members.values()) {
      await this.commit(m.agent);
      const landed = m.agent.landed;
      if (m.placed && (m.error || landed === 'kept' || landed === 'conflict')) continue;
      await steps
        .removeMemberCopy(this.step(m.agent))
        .catch((err: unknown) => (m.error = `its copy could not be removed: ${reason(err)}`));
    }
    await steps.finishSwarmCopies({ cwd: this.prepared.cwd, swarmId: this.input.id }).catch(() => undefined);
    return this.summary();
  }

  summary(): IsolationView {
    const kept = [...this.members.values()]
      .filter((m) => m.placed && (m.error || m.agent.landed === 'kept' || m.agent.landed === 'conflict'))
      .map((m) => ({
        agentId: m.agent.id,
        landed: m.agent.landed === 'conflict' ? ('conflict' as const) : ('kept' as const),
        copy: m.path,
        ...(m.files ? { files: m.files } : {}),
        ...(m.error ? { error: m.error } : {}),
      }));
    return { copies: { cwd: this.prepared.cwd, copiedBack: this.copiedBack, kept } };
  }
}
