/** The agent's event log: sequence-numbered, bounded, carried across continue-as-new. */
import type { AgentStatus } from './status';

export type AgentEventBody =
  | { type: 'status'; from: AgentStatus; to: AgentStatus; reason?: string }
  | { type: 'task'; task: string }
  | { type: 'message'; role: 'user' | 'assistant'; text: string; from?: string; kind?: string }
  | { type: 'tool_call'; callId: string; tool: string; input: unknown }
  | { type: 'tool_result'; callId: string; tool: string; ok: boolean; output: string }
  | { type: 'tokens'; input: number; output: number; totalInput: number; totalOutput: number }
  | { type: 'ignored'; signal: string; reason: string }
  | { type: 'continued_as_new'; historyLength: number };

export type AgentEvent = AgentEventBody & { seq: number; at: string };

/** Events kept in the workflow; older ones drop off (the full story is in the history). */
export const EVENT_LOG_CAPACITY = 500;
/** Text in an event is a preview; the transcript has the whole of it. */
export const EVENT_TEXT_PREVIEW = 2000;

export interface EventLog {
  nextSeq: number;
  events: AgentEvent[];
}

export function emptyEventLog(): EventLog {
  return { nextSeq: 1, events: [] };
}

export function preview(text: string, max = EVENT_TEXT_PREVIEW): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more chars]`;
}

export function appendEvent(log: EventLog, body: AgentEventBody, at: string): AgentEvent {
  const event = { ...body, seq: log.nextSeq, at } as AgentEvent;
  log.nextSeq += 1;
  log.events.push(event);
  if (log.events.length > EVENT_LOG_CAPACITY) log.events.splice(0, log.events.length - EVENT_LOG_CAPACITY);
  return event;
}

export function eventsAfter(log: EventLog, after = 0, limit = 1000): AgentEvent[] {
  return log.events.filter((e) => e.seq > after).slice(0, limit);
}
