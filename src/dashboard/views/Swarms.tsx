/** Swarms: start one of any strategy, list them, and watch the chosen one's members, merge and budgets. */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { age, clip, tokens, usd } from '../format';
import { useDash } from '../store';
import { startedFromPage } from '../sync';
import { KindControls } from './KindControls';

/** Each strategy's spec beyond task and strategy, as a person would start from. */
const TEMPLATES: Record<string, object> = {
  parallel: { agents: [{}, {}, {}], merge: 'all' },
  pipeline: { stages: [{ name: 'plan' }, { name: 'build' }, { name: 'review' }] },
  debate: { participants: [{ name: 'pro' }, { name: 'con' }], rounds: 2 },
  supervisor: { maxConcurrent: 2, maxWorkers: 4 },
  graph: {
    maxConcurrent: 2,
    nodes: [
      { id: 'api', task: 'Build the API' },
      { id: 'ui', task: 'Build the page' },
      { id: 'tests', task: 'Test both end to end', dependsOn: ['api', 'ui'] },
    ],
  },
};

interface SwarmView {
  id: string;
  strategy: string;
  status: string;
  task: string;
  result?: string;
  error?: string;
  members?: Array<{
    id: string;
    name?: string;
    status?: string;
    toolCalls: number;
    tokens: { input: number; output: number };
    costUsd: number;
  }>;
  /** The swarm's own agents as it sees them, from their start (members come with usage reports). */
  agents?: Array<{
    id: string;
    name?: string;
    role?: string;
    status?: string;
    usage?: { toolCalls: number; tokens: { input: number; output: number }; costUsd: number };
  }>;
  merge?: Record<string, unknown>;
  stats?: { toolCalls?: number; tokens?: { input: number; output: number }; costUsd?: number };
  graph?: {
    nodes: Array<{
      id: string;
      stage: number;
      status: string;
      dependsOn: string[];
      agentId?: string;
      reason?: string;
    }>;
    criticalPath?: { path: string[]; ms: number };
  };
}

export function Swarms({ onAgent }: { onAgent: (id: string) => void }) {
  const swarms = useDash((s) => s.swarms);
  const [chosen, setChosen] = useState<string>();
  return (
    <section className="split">
      <div className="column">
        <StartSwarm onStarted={setChosen} />
        <ul className="entries">
          {swarms.map((s) => (
            <li key={s.id} className={s.id === chosen ? 'on' : ''} onClick={() => setChosen(s.id)}>
              <b>{s.id}</b> <span className={`badge s-${s.status}`}>{s.status}</span> {age(s.startedAt)}
              {typeof s.strategy === 'string' && (
                <div className="what">
                  {s.strategy}: {String(s.task ?? '')}
                </div>
              )}
            </li>
          ))}
          {swarms.length === 0 && <li className="empty">No swarms yet.</li>}
        </ul>
      </div>
      {chosen && <SwarmDetail key={chosen} id={chosen} onAgent={onAgent} />}
    </section>
  );
}

function StartSwarm({ onStarted }: { onStarted: (id: string) => void }) {
  const [strategy, setStrategy] = useState('parallel');
  const [task, setTask] = useState('');
  const [cwd, setCwd] = useState(localStorage.getItem('orchestra.cwd') ?? '');
  const [extra, setExtra] = useState(JSON.stringify(TEMPLATES.parallel, null, 2));
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const spec = { strategy, task, ...(JSON.parse(extra) as object) };
      const { id } = await api<{ id: string }>('POST', '/swarms', { spec, cwd });
      setError(undefined);
      startedFromPage('swarms', {
        id,
        status: 'running',
        startedAt: new Date().toISOString(),
        strategy,
        task,
      });
      onStarted(id);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="Start a swarm">
      <h3>Start a swarm</h3>
      <select
        value={strategy}
        onChange={(e) => {
          setStrategy(e.target.value);
          setExtra(JSON.stringify(TEMPLATES[e.target.value], null, 2));
        }}
        aria-label="strategy"
      >
        {Object.keys(TEMPLATES).map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
      <textarea value={task} onChange={(e) => setTask(e.target.value)} placeholder="Task" required />
      <input value={cwd} onChange={(e) => setCwd(e.target.value)} placeholder="Working directory" required />
      <textarea
        className="code"
        value={extra}
        onChange={(e) => setExtra(e.target.value)}
        aria-label="spec"
        rows={5}
      />
      {error && <div className="error">{error}</div>}
      <button className="primary">Start</button>
    </form>
  );
}

function SwarmDetail({ id, onAgent }: { id: string; onAgent: (id: string) => void }) {
  const [view, setView] = useState<SwarmView>();
  useEffect(() => {
    let stop = false;
    const read = () =>
      api<SwarmView>('GET', `/swarms/${encodeURIComponent(id)}`)
        .then((v) => !stop && setView(v))
        .catch(() => undefined);
    void read();
    const t = setInterval(() => void read(), 2000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [id]);
  if (!view) return <div className="column">…</div>;
  return (
    <div className="column detail" data-testid="swarm-detail">
      <h2>
        {view.strategy} swarm {id} <span className={`badge s-${view.status}`}>{view.status}</span>
      </h2>
      <div className="task">{view.task}</div>
      <KindControls base={`/swarms/${encodeURIComponent(id)}`} status={view.status} />
      {view.graph && <GraphNodes graph={view.graph} onAgent={onAgent} />}
      <table className="members">
        <thead>
          <tr>
            <th>member</th>
            <th>status</th>
            <th>tools</th>
            <th>tokens</th>
            <th>cost</th>
          </tr>
        </thead>
        <tbody>
          {memberRows(view).map((m) => (
            <tr key={m.id} onClick={() => onAgent(m.id)} data-member-id={m.id}>
              <td title={m.id}>
                {m.name ?? m.id}
                {m.role && <span className="muted"> · {m.role}</span>}
              </td>
              <td>
                <span className={`badge s-${m.status ?? 'unknown'}`}>{m.status ?? '…'}</span>
              </td>
              <td>{m.toolCalls}</td>
              <td>{tokens(m.tokens.input + m.tokens.output)}</td>
              <td>{usd(m.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.merge && (
        <div className="merge" data-testid="swarm-merge">
          merged: {clip(JSON.stringify(view.merge), 300)}
        </div>
      )}
      {view.error && <pre className="error">{view.error}</pre>}
      {view.result && <pre className="result">{view.result}</pre>}
    </div>
  );
}

/** A graph swarm's subtasks by stage: what each needs, where it stands, and its agent (a click opens it). */
function GraphNodes({
  graph,
  onAgent,
}: {
  graph: NonNullable<SwarmView['graph']>;
  onAgent: (id: string) => void;
}) {
  const nodes = [...graph.nodes].sort((a, b) => a.stage - b.stage);
  return (
    <table className="members subtasks" aria-label="subtasks">
      <thead>
        <tr>
          <th>subtask</th>
          <th>stage</th>
          <th>needs</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.id} onClick={() => n.agentId && onAgent(n.agentId)} title={n.reason}>
            <td>{n.id}</td>
            <td>{n.stage}</td>
            <td>{n.dependsOn.join(', ')}</td>
            <td>
              <span className={`badge s-${n.status}`}>{n.status}</span>
            </td>
          </tr>
        ))}
      </tbody>
      {graph.criticalPath && (
        <caption>
          critical path {graph.criticalPath.path.join(' → ')} ({(graph.criticalPath.ms / 1000).toFixed(1)} s)
        </caption>
      )}
    </table>
  );
}

type MemberRow = NonNullable<SwarmView['members']>[number] & { role?: string };

/**
 * The swarm's agents from their start, in its order, with their role (stage, round, worker);
 * numbers from the latest usage report; then the members deeper down (subagents), which only
 * usage reports name.
 */
function memberRows(view: SwarmView): MemberRow[] {
  const reported = new Map((view.members ?? []).map((m) => [m.id, m]));
  const own: MemberRow[] = (view.agents ?? []).map((a) => {
    const m = reported.get(a.id);
    return {
      id: a.id,
      name: a.name ?? m?.name,
      role: a.role,
      status: a.status ?? m?.status,
      toolCalls: m?.toolCalls ?? a.usage?.toolCalls ?? 0,
      tokens: m?.tokens ?? a.usage?.tokens ?? { input: 0, output: 0 },
      costUsd: m?.costUsd ?? a.usage?.costUsd ?? 0,
    };
  });
  const seen = new Set(own.map((m) => m.id));
  return [...own, ...(view.members ?? []).filter((m) => !seen.has(m.id))];
}
