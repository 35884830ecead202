/** The pure rules every part shares: the state machine, the event log, payloads, tool schemas. */
import {
  AGENT_STATUSES,
  describeIssue,
  swarmSpecSchema,
  appendEvent,
  DEFAULT_LIMITS,
  DEFAULT_TOOLS,
  emptyEventLog,
  EVENT_LOG_CAPACITY,
  eventsAfter,
  finishMessage,
  messagePayload,
  parseToolArgs,
  RESULTS_KEPT_IN_ALL,
  trimResults,
  withTaskCompanions,
  pausePayload,
  refusalReason,
  resolveAgentConfig,
  resumePayload,
  TOOL_NAMES,
  toolDefinition,
  type AgentStatus,
  type ControlAction,
  type SubagentRecord,
} from '../src/domain';

describe('the state machine', () => {
  const accepted: Record<ControlAction, AgentStatus[]> = {
    pause: ['idle', 'running'],
    resume: ['paused'],
    cancel: ['idle', 'running', 'paused', 'waiting_for_input'],
    message: ['idle', 'running', 'paused', 'waiting_for_input'],
  };
  for (const [action, from] of Object.entries(accepted) as Array<[ControlAction, AgentStatus[]]>) {
    test(`${action} is accepted from ${from.join(', ')} and refused from everything else`, () => {
      for (const status of AGENT_STATUSES) {
        if (from.includes(status)) expect(refusalReason(action, status)).toBeUndefined();
        else
          expect(refusalReason(action, status)).toMatch(
            new RegExp(`^cannot ${action}: the agent is ${status}`),
          );
      }
    });
  }
});

describe('the event log', () => {
  test('keeps the newest events, numbered without gaps', () => {
    const log = emptyEventLog();
    for (let i = 0; i < EVENT_LOG_CAPACITY + 20; i++)
      appendEvent(log, { type: 'task', task: `t${i}` }, 'now');
    expect(log.events).toHaveLength(EVENT_LOG_CAPACITY);
    expect(log.events[0].seq).toBe(21);
    expect(eventsAfter(log, EVENT_LOG_CAPACITY + 18).map((e) => e.seq)).toEqual([
      EVENT_LOG_CAPACITY + 19,
      EVENT_LOG_CAPACITY + 20,
    ]);
    expect(eventsAfter(log, 0, 3).map((e) => e.seq)).toEqual([21, 22, 23]);
  });
});

describe('signal payloads', () => {
  test('no payload means no options; wrong types and unknown fields are refused', () => {
    expect(pausePayload.safeParse(undefined)).toMatchObject({ success: true, data: {} });
    expect(pausePayload.safeParse(null)).toMatchObject({ success: true, data: {} });
    expect(pausePayload.safeParse({ reason: 'lunch' })).toMatchObject({
      success: true,
      data: { reason: 'lunch' },
    });
    expect(pausePayload.safeParse({ reason: 1 }).success).toBe(false);
    expect(pausePayload.safeParse({ why: 'x' }).success).toBe(false);
    expect(resumePayload.safeParse({ task: '' }).success).toBe(false);
    expect(messagePayload.safeParse(undefined).success).toBe(false);
    expect(messagePayload.safeParse({ content: 'x'.repeat(100_001) }).success).toBe(false);
  });
});

describe('agent configuration', () => {
  test('defaults fill what a spawn request leaves out', () => {
    const config = resolveAgentConfig(
      { task: 't', cwd: '/w', limits: { maxIterations: 3 } },
      { id: 'abc', model: 'm' },
    );
    expect(config).toMatchObject({
      id: 'abc',
      name: 'abc',
      type: 'adhoc',
      model: 'm',
      tools: DEFAULT_TOOLS,
      limits: { ...DEFAULT_LIMITS, maxIterations: 3 },
    });
  });
});

describe('tool definitions', () => {
  test.each(TOOL_NAMES)(
    '%s is offered to the model as a strict JSON schema with every field described',
    (name) => {
      const def = toolDefinition(name) as {
        name: string;
        description: string;
        input_schema: Record<string, unknown>;
      };
      expect(def.name).toBe(name);
      expect(def.description.length).toBeGreaterThan(10);
      expect(def.input_schema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(def.input_schema).not.toHaveProperty('$schema');
      for (const [field, schema] of Object.entries(
        def.input_schema.properties as Record<string, { description?: string }>,
      )) {
        expect(`${field}: ${schema.description ?? ''}`).toMatch(/: \S/);
      }
    },
  );
});

describe('background subagents', () => {
  const record = (id: string, output: string): SubagentRecord => ({
    id,
    name: id,
    background: true,
    status: 'completed',
    startedAt: 'T1',
    endedAt: 'T2',
    output,
  });

  test('the finish message names the subagent and its end, clipped, and says where the rest is', () => {
    expect(finishMessage(record('a.1', 'short'))).toBe('[subagent a.1 finished: completed] short');
    const long = finishMessage(record('a.2', 'x'.repeat(5000)));
    expect(long).toMatch(/^\[subagent a\.2 finished: completed\] x{2000}… \[3000 more chars\]\n/);
    expect(long).toContain('task_output {"id":"a.2"} gives the whole result');
  });

  test('kept results stay bounded in all: the oldest are dropped first', () => {
    const records = [1, 2, 3, 4, 5, 6].map((n) => record(`a.${n}`, 'r'.repeat(20_000)));
    trimResults(records);
    const kept = records.filter((r) => r.output?.startsWith('r'));
    expect(kept.map((r) => r.id)).toEqual(['a.2', 'a.3', 'a.4', 'a.5', 'a.6']);
    expect(kept.reduce((n, r) => n + r.output!.length, 0)).toBeLessThanOrEqual(RESULTS_KEPT_IN_ALL);
    expect(records[0].output).toMatch(/^\(dropped/);
  });

  test('an agent with task gets task_output, task_cancel and task_list; one without does not', () => {
    expect(withTaskCompanions(['read_file', 'task'])).toEqual([
      'read_file',
      'task',
      'task_output',
      'task_cancel',
      'task_list',
    ]);
    expect(withTaskCompanions(['read_file'])).toEqual(['read_file']);
    expect(DEFAULT_TOOLS).toEqual(
      expect.arrayContaining(['task', 'task_output', 'task_cancel', 'task_list']),
    );
  });

  test('task_cancel takes an id or all, never both or neither', () => {
    expect(parseToolArgs('task_cancel', { id: 'a.1' }).ok).toBe(true);
    expect(parseToolArgs('task_cancel', { all: true, reason: 'done' }).ok).toBe(true);
    for (const bad of [{}, { id: 'a.1', all: true }, { all: false }])
      expect(parseToolArgs('task_cancel', bad)).toMatchObject({ ok: false });
  });
});

test('a bad swarm spec is refused by its strategy: the error names the field, not the whole union', () => {
  const refusal = (spec: object) => {
    const parsed = swarmSpecSchema.safeParse({ task: 't', ...spec });
    return parsed.success ? 'accepted' : describeIssue(parsed.error);
  };
  expect(refusal({ strategy: 'parallel', agents: [{}], merge: 'bogus' })).toMatch(
    /expected one of "first"\|"all"\|"vote"\|"best".*at merge/,
  );
  expect(refusal({ strategy: 'nope' })).toMatch(
    /'parallel' \| 'pipeline' \| 'debate' \| 'supervisor' \| 'graph'.*at strategy/,
  );
  expect(refusal({ strategy: 'supervisor', worker: {}, workers: {} })).toMatch(/at workers/);
  expect(refusal({ strategy: 'parallel', agents: [{}] })).toBe('accepted');
});
