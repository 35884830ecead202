/** One agent's card: status and controls; expanded, its config, limits, todos, subagents, result or error, and the Web UI link. */
import { useEffect, useState } from 'react';
import { api } from '../api';
import { age, clip, tokens, usd } from '../format';
import { useDash } from '../store';
import { isLive, type AgentView } from '../types';
import { useNow } from '../now';
import { Controls } from './Controls';

let webUi: Promise<string | undefined> | undefined;
/** Where the Temporal Web UI shows a workflow (the API says: /dashboard/config.json). */
function useWebUi(): string | undefined {
  const [base, setBase] = useState<string>();
  useEffect(() => {
    webUi ??= fetch('/dashboard/config.json')
      .then((r) => r.json() as Promise<{ webUi?: string }>)
      .then((c) => c.webUi)
      .catch(() => undefined);
    void webUi.then(setBase);
  }, []);
  return base;
}

export function AgentCard(props: {
  id: string;
  view?: AgentView;
  onChanged: () => void;
  onSelect: (id: string) => void;
}) {
  const { id, view, onChanged, onSelect } = props;
  const row = useDash((s) => s.agents[id]);
  const [open, setOpen] = useState(false);
  const base = useWebUi();
  const a = { ...row, ...view };
  const status = a.status ?? 'unknown';
  return (
    <div className="card" data-testid="agent-card">
      <div className="card-head">
        <button className="expand" onClick={() => setOpen(!open)} aria-expanded={open} title="details">
          {open ? '▾' : '▸'}
        </button>
        <h2 title={id}>{a.name ?? id}</h2>
        <span className={`badge s-${status}`} data-testid="agent-status">
          {status}
        </span>
        {a.stale && <span className="badge stale">stale</span>}
        {base && (
          <a
            className="webui"
            href={`${base}${encodeURIComponent(a.workflowId ?? `agent-${id}`)}`}
            target="_blank"
            rel="noreferrer"
          >
            Temporal Web UI ↗
          </a>
        )}
      </div>
      <div className="task">{clip(a.task, 400)}</div>
      <div className="numbers">
        {a.iterations ?? 0} iterations · {a.toolCalls ?? 0} tool calls · {tokens(a.tokens?.input)} in /{' '}
        {tokens(a.tokens?.output)} out · {usd(a.costUsd)} ·{' '}
        <Age from={a.startedAt} to={isLive(status) ? undefined : (a.closedAt ?? a.updatedAt)} />
        {a.pausedReason && <> · paused: {a.pausedReason}</>}
      </div>
      <Controls id={id} status={status} onChanged={onChanged} />
      {a.error && <pre className="error">{a.error}</pre>}
      {a.result && (
        <pre className="result" data-testid="agent-result">
          {a.result}
        </pre>
      )}
      {open && view && (
        <div className="more">
          <dl>
            {(
              [
                ['type', view.type],
                ['model', view.model],
                ['cwd', view.cwd],
                ['autonomy', view.autonomy],
                ['profile', view.profile],
                ['workspace', view.workspace],
                ['owner', view.owner],
                ['session', view.sessionId],
                ['swarm', view.swarmId],
                ['parent', view.parentId],
                ['started', view.startedAt],
                ['updated', view.updatedAt],
              ] as Array<[string, string | undefined]>
            )
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    {k === 'parent' ? (
                      <a href="#" onClick={(e) => (e.preventDefault(), onSelect(v!))}>
                        {v}
                      </a>
                    ) : (
                      v
                    )}
                  </dd>
                </div>
              ))}
          </dl>
          {view.limits && <pre className="limits">{JSON.stringify(view.limits, null, 2)}</pre>}
          {!!view.todos?.length && (
            <ul className="todos">
              {view.todos.map((t, i) => (
                <li key={i} className={`todo-${t.status}`}>
                  {t.status === 'completed' ? '☑' : t.status === 'in_progress' ? '◐' : '☐'} {t.content}
                </li>
              ))}
            </ul>
          )}
          {!!view.subagents?.length && (
            <div className="subagents">
              <h3>subagents</h3>
              <Tree ids={view.subagents} onSelect={onSelect} depth={0} />
            </div>
          )}
          {!!view.artifacts?.length && (
            <div className="artifacts">files written: {view.artifacts.join(', ')}</div>
          )}
        </div>
      )}
    </div>
  );
}

/** Subagents, each expandable into its own (read when opened). */
function Tree({ ids, onSelect, depth }: { ids: string[]; onSelect: (id: string) => void; depth: number }) {
  return (
    <ul className="tree">
      {ids.map((id) => (
        <Node key={id} id={id} onSelect={onSelect} depth={depth} />
      ))}
    </ul>
  );
}

function Node({ id, onSelect, depth }: { id: string; onSelect: (id: string) => void; depth: number }) {
  const row = useDash((s) => s.agents[id]);
  const [children, setChildren] = useState<string[]>();
  const toggle = async () => {
    if (children) return setChildren(undefined);
    const v = await api<AgentView>('GET', `/agents/${encodeURIComponent(id)}`).catch(() => undefined);
    setChildren(v?.subagents ?? []);
  };
  return (
    <li>
      {depth < 8 && (
        <button className="expand" onClick={() => void toggle()}>
          {children ? '▾' : '▸'}
        </button>
      )}
      <a href="#" onClick={(e) => (e.preventDefault(), onSelect(id))}>
        {row?.name ?? id}
      </a>{' '}
      <span className={`badge s-${row?.status ?? 'unknown'}`}>{row?.status ?? ''}</span>
      {children && children.length > 0 && <Tree ids={children} onSelect={onSelect} depth={depth + 1} />}
    </li>
  );
}

/** How long it ran: still counting while it is live, its whole run once it ended. */
function Age({ from, to }: { from?: string; to?: string }) {
  useNow(to ? undefined : 1000);
  return <>{age(from, to)}</>;
}
