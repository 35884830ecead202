/** Tool calls and their results as they happen, with durations; the calls waiting on a person, with Allow and Deny. */
import { useState } from 'react';
import { api } from '../api';
import type { AgentStory } from '../agent-stream';
import { command } from '../feed';
import { clip, duration, json } from '../format';
import { useDash } from '../store';
import { loadApprovals } from '../sync';
import type { AgentEvent, PendingApproval } from '../types';

interface Call {
  call: AgentEvent;
  result?: AgentEvent;
}

export function ToolLog(props: {
  id: string;
  story: AgentStory;
  pending: PendingApproval[];
  onAnswered: () => void;
}) {
  const { id, story, onAnswered } = props;
  const listed = useDash((s) => s.approvals);
  const calls = new Map<string, Call>();
  for (const e of story.events) {
    if (e.type === 'tool_call') calls.set(String(e.callId), { call: e });
    else if (e.type === 'tool_result') {
      const c = calls.get(String(e.callId));
      if (c) c.result = e;
    }
  }
  // The agent's own view, and the list (which also has those of agents not read yet).
  const pending = [...props.pending, ...listed.filter((a) => a.agentId === id)].filter(
    (a, i, all) => all.findIndex((b) => b.callId === a.callId) === i,
  );
  return (
    <div className="tools" data-testid="tool-log">
      {pending.map((a) => (
        <Approval key={a.callId} approval={a} onAnswered={onAnswered} />
      ))}
      {[...calls.values()].reverse().map(({ call, result }) => (
        <details
          key={String(call.callId)}
          className={`call ${result ? (result.ok ? 'ok' : 'failed') : 'running'}`}
        >
          <summary>
            <b>{String(call.tool)}</b>{' '}
            <span className="input">{clip(json(call.input).replace(/\s+/g, ' '), 80)}</span>
            <span className="took">
              {result ? duration(Date.parse(result.at) - Date.parse(call.at)) : 'running…'}
              {result && !result.ok ? ' · error' : ''}
            </span>
          </summary>
          <pre>{json(call.input)}</pre>
          {result && <pre className="output">{String(result.output)}</pre>}
        </details>
      ))}
      {calls.size === 0 && pending.length === 0 && <div className="empty">No tool calls yet.</div>}
    </div>
  );
}

function Approval({ approval, onAnswered }: { approval: PendingApproval; onAnswered: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const answer = async (decision: 'allow' | 'deny') => {
    setBusy(true);
    try {
      const body = { decision, agentId: approval.agentId };
      await command({ type: 'approve', callId: approval.callId, ...body }, () =>
        api('POST', `/approvals/${encodeURIComponent(approval.callId)}`, body),
      );
      onAnswered();
      void loadApprovals();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="approval" data-testid="approval">
      <div>
        <b>{approval.tool}</b> waits for your word: {approval.reason}
      </div>
      <pre>{json(approval.input)}</pre>
      <button className="primary" disabled={busy} onClick={() => void answer('allow')}>
        Allow
      </button>
      <button className="danger" disabled={busy} onClick={() => void answer('deny')}>
        Deny
      </button>
      {error && <span className="error">{error}</span>}
    </div>
  );
}
