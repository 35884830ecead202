/**
 * The live streams of agents and swarms. Each polls the workflow's `events` query from the
 * last sequence number sent, so a client that reconnects with Last-Event-ID gets exactly
 * what it missed. An agent's stream also carries the partial text of its model call in
 * flight, read from the call's heartbeats: it never enters the workflow's history.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AgentEvent, SwarmEvent } from '../domain';
import { AgentNotFoundError } from '../temporal/agents';
import { inspectWorkflow, type Inspection } from '../temporal/inspect';
import { SwarmNotFoundError } from '../temporal/swarms';
import { agentEventName, agentWorkflowId, swarmEventName, swarmWorkflowId } from '../domain';
import { ApiError, toApiError } from './errors';
import { nextTextPiece, type TextCursor } from './model-text';
import type { ApiDeps } from './route';
import { pause, SseStream } from './sse';

/** `<seq>` after a logged event; `<seq>:<call>:<chars>` after a piece of a model call's text. */
const lastEventId = z
  .string()
  .regex(/^(\d{1,15})(?::([A-Za-z0-9_.-]{1,200}):(\d{1,12}))?$/, 'an id this stream sent');

interface Cursor {
  after: number;
  text?: TextCursor;
}

function resumeFrom(req: Request): Cursor {
  const header = req.get('last-event-id');
  if (header === undefined || header === '') return { after: 0 };
  const parsed = lastEventId.safeParse(header);
  if (!parsed.success)
    throw new ApiError(400, 'invalid_request', `invalid Last-Event-ID: "${header.slice(0, 80)}"`);
  const [, seq, call, chars] = /^(\d+)(?::([^:]+):(\d+))?$/.exec(parsed.data)!;
  return { after: Number(seq), text: call ? { call, chars: Number(chars) } : undefined };
}

interface Source<E extends { seq: number }> {
  workflowId: string;
  notFound: () => Error;
  events: (after: number) => Promise<E[]>;
  name: (e: E) => string;
  /** Send the partial text of the model call in flight. */
  text: boolean;
}

async function follow<E extends { seq: number }>(
  deps: ApiDeps,
  source: Source<E>,
  req: Request,
  res: Response,
) {
  const cursor = resumeFrom(req); // a bad Last-Event-ID is a 400, before the stream starts
  // The look before the stream took past the API's budget and was answered with a 503.
  if (res.headersSent) return;
  const stream = new SseStream(res, deps.streams);
  let stale: boolean | undefined;
  // Look first, then read: once the workflow is seen closed, the events read after are all there is.
  const look = async (after: number) => {
    const inspection = await inspectWorkflow(
      deps.client,
      source.workflowId,
      source.notFound,
      deps.staleAfterMs,
    );
    return { inspection, events: await source.events(after) };
  };
  while (stream.open) {
    let inspection: Inspection;
    let events: E[];
    try {
      // The streams of one workflow at the same point share a look (shared-looks.ts).
      const after = cursor.after;
      ({ inspection, events } = await deps.looks.get(`${source.workflowId}@${after}`, () =>
        deps.gate.run(() => look(after), deps.requestTimeoutMs),
      ));
    } catch (err) {
      const { status, apiCode: code, message } = toApiError(err);
      stream.send('error', { error: { code, message } });
      if (status < 500) break;
      await pause(stream, Math.max(deps.pollMs, 1000));
      continue;
    }
    for (const e of events) {
      stream.send(source.name(e), e, String(e.seq));
      cursor.after = e.seq;
    }
    if (source.text) sendText(stream, cursor, inspection);
    if (inspection.staleness.stale !== stale) {
      if (stale !== undefined || inspection.staleness.stale) stream.send('stale', inspection.staleness);
      stale = inspection.staleness.stale;
    }
    if (inspection.temporalStatus !== 'RUNNING' && events.length === 0) {
      stream.send('end', { status: inspection.status ?? inspection.temporalStatus.toLowerCase() });
      break;
    }
    if (events.length === 0) await pause(stream, deps.pollMs);
  }
  stream.close();
}

function sendText(stream: SseStream, cursor: Cursor, inspection: Inspection): void {
  const piece = nextTextPiece(cursor.text, inspection);
  if (!piece) return;
  cursor.text = piece.cursor;
  stream.send('model_text', piece.data, `${cursor.after}:${piece.cursor.call}:${piece.cursor.chars}`);
}

export function streamAgent(deps: ApiDeps, id: string, req: Request, res: Response): Promise<void> {
  return follow<AgentEvent>(
    deps,
    {
      workflowId: agentWorkflowId(id),
      notFound: () => new AgentNotFoundError(`no agent with id "${id}"`),
      events: (after) => deps.orchestra.agents.events(id, after, 200),
      name: agentEventName,
      text: true,
    },
    req,
    res,
  );
}

export function streamSwarm(deps: ApiDeps, id: string, req: Request, res: Response): Promise<void> {
  return follow<SwarmEvent>(
    deps,
    {
      workflowId: swarmWorkflowId(id),
      notFound: () => new SwarmNotFoundError(`no swarm with id "${id}"`),
      events: (after) => deps.orchestra.swarms.events(id, after, 200),
      name: swarmEventName,
      text: false,
    },
    req,
    res,
  );
}
