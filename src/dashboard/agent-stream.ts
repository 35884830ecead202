/**
 * One agent's story as it happens, from its own stream (`GET /api/v1/agents/:id/stream`):
 * the logged events from the first, and the model's reply as it is being written
 * (`model_text`, which never enters the log). The views of the selected agent read it.
 */
import { useEffect, useState } from 'react';
import { LOGGED_EVENTS } from './event-names';
import { patchAgent } from './store';
import type { AgentEvent, Status } from './types';

export interface AgentStory {
  events: AgentEvent[];
  /** The model's reply in flight, until its `message` event arrives. */
  writing?: { callId: string; text: string };
  /** The stream ended (the agent's workflow closed). */
  ended?: string;
  connected: boolean;
}

/** Past this many events the oldest drop off the page (the transcript keeps them all). */
const KEEP = 2000;

export function useAgentStory(id: string | undefined): AgentStory {
  const [story, setStory] = useState<AgentStory>({ events: [], connected: false });
  useEffect(() => {
    setStory({ events: [], connected: false });
    if (!id) return;
    const es = new EventSource(`/api/v1/agents/${encodeURIComponent(id)}/stream`, { withCredentials: true });
    // Pieces arrive many a second: apply them together, once a frame.
    let pending: Array<(s: AgentStory) => AgentStory> = [];
    let frame = 0;
    const apply = (fn: (s: AgentStory) => AgentStory) => {
      pending.push(fn);
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        const fns = pending;
        pending = [];
        setStory((s) => fns.reduce((acc, f) => f(acc), s));
      });
    };
    es.onopen = () => apply((s) => ({ ...s, connected: true }));
    const onEvent = (e: MessageEvent) => {
      const event = JSON.parse(String(e.data)) as AgentEvent;
      apply((s) => {
        if (s.events.length && s.events[s.events.length - 1].seq >= event.seq) return s; // seen
        const events = [...s.events, event].slice(-KEEP);
        const done = event.type === 'message' && event.role === 'assistant';
        return { ...s, events, writing: done ? undefined : s.writing };
      });
      if (event.type === 'status') patchAgent(id, { status: event.to as Status });
    };
    for (const name of LOGGED_EVENTS) es.addEventListener(name, onEvent as EventListener);
    es.addEventListener('model_text', ((e: MessageEvent) => {
      const piece = JSON.parse(String(e.data)) as { callId: string; offset: number; text: string };
      apply((s) => {
        const before = s.writing?.callId === piece.callId ? s.writing.text : '';
        // The pieces carry their offset: a repeat overwrites, a gap (a reconnect) is marked.
        const head = before.length >= piece.offset ? before.slice(0, piece.offset) : `${before}… `;
        return { ...s, writing: { callId: piece.callId, text: head + piece.text } };
      });
    }) as EventListener);
    es.addEventListener('stale', ((e: MessageEvent) => {
      const data = JSON.parse(String(e.data)) as { stale?: boolean };
      patchAgent(id, { stale: data.stale === true });
    }) as EventListener);
    es.addEventListener('end', ((e: MessageEvent) => {
      const data = JSON.parse(String(e.data)) as { status?: string };
      es.close();
      if (data.status) patchAgent(id, { status: data.status as Status });
      apply((s) => ({ ...s, ended: data.status ?? 'closed', writing: undefined, connected: false }));
    }) as EventListener);
    es.onerror = () => apply((s) => ({ ...s, connected: es.readyState === EventSource.OPEN }));
    return () => {
      es.close();
      cancelAnimationFrame(frame);
    };
  }, [id]);
  return story;
}
