/** The pure rules every part shares: the state machine, the event log, payloads, tool schemas. */
import {
  AGENT_STATUSES,
  appendEvent,
  DEFAULT_LIMITS,
  DEFAULT_TOOLS,
  emptyEventLog,
  EVENT_LOG_CAPACITY,
  eventsAfter,
  messagePayload,
  pausePayload,
  refusalReason,
  resolveAgentConfig,
  resumePayload,
  TOOL_NAMES,
  toolDefinition,
  type AgentStatus,
  type ControlAction,
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
