/**
 * Cost and budgets on a real server: each call priced from the table, rolled up per agent,
 * swarm, session and workspace-day, searchable as OrchestraCostUsd; budgets that warn at
 * 80% and then stop the agent or pause it for a person's approval.
 */
import { randomUUID } from 'node:crypto';
import {
  callCost,
  LEDGER_QUEUE,
  ledgerWorkflowId,
  roundedUsd,
  sessionWorkflowId,
  utcDay,
  type AgentEvent,
} from '../src/domain';
import { OrchestraCostUsd } from '../src/domain/search-attributes';
import { agentEvents, agentStatus, waitForAgent } from '../src/temporal/agents';
import { answerApproval } from '../src/temporal/approvals';
import { createSession, sessionStatus } from '../src/temporal/sessions';
import { waitForSwarm } from '../src/temporal/swarms';
import { chargeUpdate, ledgerQuery } from '../workflows/protocol';
import { costLedgerWorkflow } from '../workflows/cost/ledger';
import { until } from './helpers/poll';
import { startHarness, TEST_MODEL, useHarness, waitForStatus } from './helpers/harness';

// Output-heavy prices make each call cost about the same (about $0.21), whatever the conversation's
// length; budgets are set so that some call lands between 80% and 100% of them.
const PRICE = { input: 10, output: 10_000 };
const h = useHarness({ file: { prices: { [TEST_MODEL]: PRICE } } });
// Each test spends in a workspace, session or agent budget of its own (no test sets a budget on the
// default workspace's day): they run at the same time.

type Tokens = Extract<AgentEvent, { type: 'tokens' }>;
const tokenEvents = async (id: string) =>
  (await agentEvents(h.client, id)).filter((e): e is Tokens => e.type === 'tokens');
const budgetEvents = async (id: string) =>
  (await agentEvents(h.client, id)).flatMap((e) => (e.type === 'budget' ? [e] : []));
/** An agent that never ends its turn on its own: it spends until a budget stops it. */
const spender = () => h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }], { repeatLast: true });

test.concurrent(
  'each call is priced from the table; the agent, its swarm, its session and its day add up, and cost is searchable',
  async () => {
    const workspace = `cost-${randomUUID().slice(0, 6)}`;
    const session = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir(), workspace });
    const one = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'done' }]);
    const swarmId = await h.swarm(
      { strategy: 'parallel', task: one, agents: [{ name: 'a' }, { name: 'b' }] },
      { sessionId: session.id, workspace },
    );
    const outcome = await waitForSwarm(h.client, swarmId);
    let total = 0;
    for (const agent of outcome.agents) {
      const events = await tokenEvents(agent.id);
      expect(events).toHaveLength(2);
      for (const e of events) expect(e.costUsd).toBeCloseTo(callCost(e, PRICE), 12);
      const own = events.reduce((sum, e) => sum + callCost(e, PRICE), 0);
      expect(events[1].totalCostUsd).toBeCloseTo(own, 12);
      expect((await agentStatus(h.client, agent.id)).costUsd).toBeCloseTo(own, 12);
      total += own;
    }
    expect(outcome.stats.costUsd).toBeCloseTo(total, 12);
    expect((await sessionStatus(h.client, session.id)).costUsd).toBeCloseTo(total, 12);
    const day = await h.client.workflow
      .getHandle(ledgerWorkflowId(workspace, utcDay(new Date().toISOString())))
      .query(ledgerQuery);
    expect(day.totalUsd).toBeCloseTo(total, 12);
    expect(Object.keys(day.byAgent).sort()).toEqual(outcome.agents.map((a) => a.id).sort());

    // The Web UI and `temporal workflow list --query` filter and sort by it.
    const query = `OrchestraWorkspace = "${workspace}" AND OrchestraCostUsd > ${(total / 4).toFixed(6)}`;
    const found = await until(
      async () => {
        const ids: string[] = [];
        for await (const wf of h.client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids.sort();
      },
      (ids) => ids.length === 5,
      'agents, swarm, session and ledger by cost',
    );
    expect(found).toEqual(
      [
        ...outcome.agents.map((a) => `agent-${a.id}`),
        `swarm-${swarmId}`,
        `session-${session.id}`,
        ledgerWorkflowId(workspace, utcDay(new Date().toISOString())),
      ].sort(),
    );
    // Shown rounded to a millionth of a dollar, free of floating-point dust, and true to the sum.
    const shown = await Promise.all(
      found.map(async (id) => (await h.client.workflow.getHandle(id).describe()).typedSearchAttributes),
    );
    const swarmCost = shown[found.indexOf(`swarm-${swarmId}`)].get(OrchestraCostUsd)!;
    expect(Math.abs(swarmCost - total)).toBeLessThan(5e-7);
    for (const attributes of shown) {
      const value = attributes.get(OrchestraCostUsd)!;
      expect(value).toBe(roundedUsd(value));
      expect(String(value)).toMatch(/^\d+(\.\d{1,6})?$/);
    }
  },
);

test.concurrent('an agent budget warns at 80% and then stops the agent before it spends more', async () => {
  const id = await h.spawn({ task: spender(), budget: { agentUsd: 2, onLimit: 'stop' } });
  const result = await waitForAgent(h.client, id);
  expect(result.status).toBe('failed');
  expect(result.error).toMatch(/^budget reached: the agent budget is spent: \$2\.\d\d of \$2\.00$/);
  const [warning, reached] = await budgetEvents(id);
  expect(warning).toMatchObject({ level: 'agent', state: 'warning', limitUsd: 2 });
  expect(warning.spentUsd).toBeGreaterThanOrEqual(1.6);
  expect(warning.spentUsd).toBeLessThan(2);
  expect(reached).toMatchObject({ level: 'agent', state: 'reached' });
  // It stopped at the first check past the limit: the spending before the last call was under it.
  const calls = await tokenEvents(id);
  expect(calls[calls.length - 1].totalCostUsd! - calls[calls.length - 1].costUsd!).toBeLessThan(2);
});

test.concurrent(
  'at its limit an agent pauses for approval; allowed, it spends another budget, denied, it stops',
  async () => {
    const id = await h.spawn({ task: spender(), budget: { agentUsd: 0.5 } });
    const first = (await waitForStatus(h.client, id, (v) => v.pendingApprovals.length === 1))
      .pendingApprovals[0];
    expect(first).toMatchObject({ kind: 'budget', tool: 'budget', input: { level: 'agent', limitUsd: 0.5 } });
    expect(first.reason).toMatch(
      /^the agent budget is spent: \$0\.\d{4} of \$0\.5000; allow to spend another \$0\.5000$/,
    );
    const spentAtFirst = (await agentStatus(h.client, id)).costUsd;
    await answerApproval(h.client, first, { decision: 'allow' });

    const second = (
      await waitForStatus(h.client, id, (v) => v.pendingApprovals.some((a) => a.callId !== first.callId))
    ).pendingApprovals[0];
    const spentAtSecond = (await agentStatus(h.client, id)).costUsd;
    expect(spentAtSecond).toBeGreaterThanOrEqual(spentAtFirst + 0.5);
    await answerApproval(h.client, second, { decision: 'deny', note: 'that is enough' });
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('a person said stop: that is enough'),
    });
    expect((await agentStatus(h.client, id)).costUsd).toBe(spentAtSecond);
  },
);

test.concurrent("a session budget stops the session's agents", async () => {
  const session = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir(), budgetUsd: 2 });
  const id = await h.spawn({ task: spender(), sessionId: session.id, budget: { onLimit: 'stop' } });
  const result = await waitForAgent(h.client, id);
  expect(result.error).toMatch(/^budget reached: the session budget is spent: \$2\.\d\d of \$2\.00$/);
  expect((await budgetEvents(id)).map((e) => `${e.level}:${e.state}`)).toEqual([
    'session:warning',
    'session:reached',
  ]);
});

test.concurrent('a daily budget counts every agent of the workspace, across sessions', async () => {
  const workspace = `day-${randomUUID().slice(0, 6)}`;
  const [s1, s2] = await Promise.all(
    [1, 2].map(
      async () => (await createSession(h.client, h.taskQueue, { cwd: await h.tempDir(), workspace })).id,
    ),
  );
  // The first agent spends about $0.6 in session 1 and stops on its own budget.
  const first = await h.spawn({
    task: spender(),
    sessionId: s1,
    workspace,
    budget: { agentUsd: 0.6, onLimit: 'stop' },
  });
  const spentFirst = (await waitForAgent(h.client, first)).totals.costUsd;
  expect(spentFirst).toBeGreaterThanOrEqual(0.6);
  // The second, in session 2, may spend what is left of the workspace's $1 day.
  const second = await h.spawn({
    task: spender(),
    sessionId: s2,
    workspace,
    budget: { dailyUsd: 1, onLimit: 'stop' },
  });
  const result = await waitForAgent(h.client, second);
  expect(result.error).toMatch(/^budget reached: the day budget is spent: \$1\.\d{2} of \$1\.00$/);
  expect(result.totals.costUsd).toBeLessThan(1); // it alone did not spend the day's budget
  expect(spentFirst + result.totals.costUsd).toBeGreaterThanOrEqual(1);
});

test.concurrent("a day's ledger outlives the workers of the queue that started it", async () => {
  const workspace = `gone-${randomUUID().slice(0, 6)}`;
  const ledger = () =>
    h.client.workflow
      .getHandle(ledgerWorkflowId(workspace, utcDay(new Date().toISOString())))
      .query(ledgerQuery);
  // Another fleet, on a queue of its own, starts the day and then goes away for good.
  const other = await startHarness({ file: { prices: { [TEST_MODEL]: PRICE } } });
  let first: string;
  try {
    first = await other.spawn({ task: other.script([{ text: 'done' }]), workspace });
    await waitForAgent(other.client, first);
  } finally {
    await other.close();
  }
  const before = (await ledger()).totalUsd;
  expect(before).toBeGreaterThan(0);
  // This fleet's agent still charges the same day, and its day budget still holds.
  const id = await h.spawn({ task: h.script([{ text: 'done' }]), workspace, budget: { dailyUsd: 100 } });
  const result = await waitForAgent(h.client, id);
  expect(result.status).toBe('completed');
  const day = await ledger();
  expect(day.totalUsd).toBeCloseTo(before + result.totals.costUsd, 12);
  expect(Object.keys(day.byAgent).sort()).toEqual([first, id].sort());
});

test.concurrent(
  'a charge retried after its ledger continued as new is counted once (the day and the session alike)',
  async () => {
    // A continued run starts from what the last one carried: here, a call already charged.
    const day = utcDay(new Date().toISOString());
    const ledger = await h.client.workflow.start(costLedgerWorkflow, {
      taskQueue: LEDGER_QUEUE,
      workflowId: ledgerWorkflowId(`dedupe-${randomUUID().slice(0, 6)}`, day),
      args: [{ workspace: 'dedupe', day, totalUsd: 1.5, byAgent: { a: 1.5 }, chargedCalls: ['call-1'] }],
    });
    const charge = (callId: string) =>
      ledger.executeUpdate(chargeUpdate, { args: [{ agentId: 'a', callId, costUsd: 1 }], updateId: callId });
    expect(await charge('call-1')).toEqual({ totalUsd: 1.5 });
    expect(await charge('call-2')).toEqual({ totalUsd: 2.5 });
    expect(await charge('call-2')).toEqual({ totalUsd: 2.5 }); // the server's own dedupe, within a run
    await ledger.terminate('test done');

    const session = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
    const handle = h.client.workflow.getHandle(sessionWorkflowId(session.id));
    // After a continue-as-new the server has forgotten the first update's id: the retry arrives as
    // another update (another id here), and the call id is what stops it.
    const first = await handle.executeUpdate(chargeUpdate, {
      args: [{ agentId: 'a', callId: 'call-9', costUsd: 0.25 }],
      updateId: 'first-try',
    });
    const retried = await handle.executeUpdate(chargeUpdate, {
      args: [{ agentId: 'a', callId: 'call-9', costUsd: 0.25 }],
      updateId: 'second-try',
    });
    expect([first.totalUsd, retried.totalUsd]).toEqual([0.25, 0.25]);
    expect((await sessionStatus(h.client, session.id)).costUsd).toBe(0.25);
  },
);
