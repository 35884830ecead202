/** Sessions: create one (name, directory, directives), list them, read one's directives, findings, members and totals. */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { age, tokens, usd } from '../format';
import { useDash } from '../store';
import { loadSessions, repeat, startedFromPage } from '../sync';
import { KindControls } from './KindControls';

interface SessionView {
  id: string;
  name: string;
  cwd: string;
  status: string;
  directives?: string;
  members: Array<{ kind: 'agent' | 'swarm'; id: string }>;
  findings: Array<{ from: string; text: string; at: string }>;
  totals?: { tokens: { input: number; output: number }; toolCalls: number; agents: number; costUsd: number };
}

const SESSIONS_POLL_MS = 5000;

export function Sessions({ onAgent }: { onAgent: (id: string) => void }) {
  const sessions = useDash((s) => s.sessions);
  const [chosen, setChosen] = useState<string>();
  const [f, setF] = useState({ name: '', cwd: localStorage.getItem('orchestra.cwd') ?? '', directives: '' });
  const [error, setError] = useState<string>();
  // The feed carries no session frames: the list is read again while it is on screen.
  useEffect(() => repeat(loadSessions, () => SESSIONS_POLL_MS), []);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const body = {
        cwd: f.cwd,
        ...(f.name ? { name: f.name } : {}),
        ...(f.directives ? { directives: f.directives } : {}),
      };
      const { id } = await api<{ id: string }>('POST', '/sessions', body);
      setError(undefined);
      setF({ ...f, name: '', directives: '' });
      startedFromPage('sessions', {
        id,
        status: 'running',
        startedAt: new Date().toISOString(),
        name: f.name || id,
      });
      setChosen(id);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="split">
      <div className="column">
        <form className="panel" onSubmit={(e) => void create(e)} aria-label="New session">
          <h3>New session</h3>
          <input value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} placeholder="Name" />
          <input
            value={f.cwd}
            onChange={(e) => setF({ ...f, cwd: e.target.value })}
            placeholder="Working directory"
            required
          />
          <textarea
            value={f.directives}
            onChange={(e) => setF({ ...f, directives: e.target.value })}
            placeholder="Directives every agent gets"
          />
          {error && <div className="error">{error}</div>}
          <button className="primary">Create</button>
        </form>
        <ul className="entries">
          {sessions.map((s) => (
            <li key={s.id} className={s.id === chosen ? 'on' : ''} onClick={() => setChosen(s.id)}>
              <b>{String(s.name ?? s.id)}</b> <span className={`badge s-${s.status}`}>{s.status}</span>{' '}
              {age(s.startedAt)}
            </li>
          ))}
          {sessions.length === 0 && <li className="empty">No sessions yet.</li>}
        </ul>
      </div>
      {chosen && <SessionDetail key={chosen} id={chosen} onAgent={onAgent} />}
    </section>
  );
}

function SessionDetail({ id, onAgent }: { id: string; onAgent: (id: string) => void }) {
  const [view, setView] = useState<SessionView>();
  useEffect(() => {
    const read = () =>
      api<SessionView>('GET', `/sessions/${encodeURIComponent(id)}`).then(setView, () => undefined);
    void read();
    const t = setInterval(() => void read(), 3000);
    return () => clearInterval(t);
  }, [id]);
  if (!view) return <div className="column">…</div>;
  return (
    <div className="column detail" data-testid="session-detail">
      <h2>
        {view.name} <span className={`badge s-${view.status}`}>{view.status}</span>
      </h2>
      <div className="task">{view.cwd}</div>
      <KindControls base={`/sessions/${encodeURIComponent(id)}`} status={view.status} />
      {view.totals && (
        <div className="numbers">
          {view.totals.agents} agents · {view.totals.toolCalls} tool calls ·{' '}
          {tokens(view.totals.tokens.input + view.totals.tokens.output)} tokens · {usd(view.totals.costUsd)}
        </div>
      )}
      <h3>Directives</h3>
      <pre>{view.directives ?? '(none)'}</pre>
      <h3>Findings</h3>
      <ul className="findings">
        {view.findings.map((f, i) => (
          <li key={i}>
            <b>{f.from}</b> {f.text} <span className="when">{age(f.at)} ago</span>
          </li>
        ))}
        {view.findings.length === 0 && <li className="empty">None yet.</li>}
      </ul>
      <h3>Members</h3>
      <ul>
        {view.members.map((m) => (
          <li key={m.id}>
            {m.kind === 'agent' ? (
              <a href="#" onClick={(e) => (e.preventDefault(), onAgent(m.id))}>
                agent {m.id}
              </a>
            ) : (
              `swarm ${m.id}`
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
