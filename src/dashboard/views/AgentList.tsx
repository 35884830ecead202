/**
 * Every agent the user may see, live: filter by status, session, swarm and zone, sort by any
 * column. Only the rows on screen are drawn (fixed-height rows over a scrolling spacer), so
 * a thousand agents cost what thirty do; their own views are read as they come into sight.
 * A live agent's task cell shows what the feed last saw it doing: the text being written, or
 * the tool it called.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { age, clip, tokens, usd } from '../format';
import { useDash } from '../store';
import { refreshFor } from '../sync';
import { detailRows } from '../views-read';
import { AGENT_STATUSES } from '../../domain/status';
import type { Activity as Doing, AgentRow } from '../types';

const ROW = 30;
/** The status filter's choice for agents whose work went silent (any status). */
const STALE = 'stale';

type Key =
  'name' | 'type' | 'status' | 'task' | 'iterations' | 'toolCalls' | 'tokens' | 'costUsd' | 'startedAt';
const COLUMNS: Array<[Key, string]> = [
  ['name', 'name'],
  ['type', 'type'],
  ['status', 'status'],
  ['task', 'task'],
  ['iterations', 'iter'],
  ['toolCalls', 'tools'],
  ['tokens', 'tokens'],
  ['costUsd', 'cost'],
  ['startedAt', 'age'],
];

/** Rows not read yet that a sort by a view's number asks for at a time (the read queue holds 400). */
const UNREAD_BATCH = 200;
/** Columns whose numbers come from each agent's own view, unknown until it is read. */
const FROM_VIEW = new Set<Key>(['iterations', 'toolCalls', 'tokens']);

/** A row's value in a column; undefined when the page does not know it yet (sorted last). */
const value = (a: AgentRow, key: Key): string | number | undefined => {
  if (key === 'tokens') return a.tokens && a.tokens.input + a.tokens.output;
  if (key === 'name') return a.name ?? a.id;
  if (key === 'type') return a.type ?? a.kind ?? '';
  if (key === 'task') return a.task ?? '';
  return a[key];
};

export function AgentList({ selected, onSelect }: { selected?: string; onSelect: (id: string) => void }) {
  const agents = useDash((s) => s.agents);
  const zones = useDash((s) => s.zones);
  const swarms = useDash((s) => s.swarms);
  const sessions = useDash((s) => s.sessions);
  const [filter, setFilter] = useState({ status: '', session: '', swarm: '', zone: '', text: '' });
  const [sort, setSort] = useState<{ key: Key; down: boolean }>({ key: 'startedAt', down: true });
  const [view, setView] = useState({ top: 0, height: 600 });
  const box = useRef<HTMLDivElement>(null);

  const zoneOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const z of zones) for (const id of z.agentIds) m.set(id, z.name);
    return m;
  }, [zones]);
  const rows = useMemo(() => {
    const zone = zones.find((z) => z.id === filter.zone);
    const text = filter.text.toLowerCase();
    const list = Object.values(agents).filter(
      (a) =>
        (!filter.status || (filter.status === STALE ? a.stale === true : a.status === filter.status)) &&
        (!filter.session || a.sessionId === filter.session) &&
        (!filter.swarm || a.swarmId === filter.swarm || a.id.startsWith(`${filter.swarm}.`)) &&
        (!zone || zone.agentIds.includes(a.id)) &&
        (!text || `${a.id} ${a.name ?? ''} ${a.task ?? ''}`.toLowerCase().includes(text)),
    );
    const dir = sort.down ? -1 : 1;
    return list.sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1; // unknown last, either way
      } else if (x !== y) return (x < y ? -1 : 1) * dir;
      return (a.id < b.id ? -1 : 1) * dir;
    });
  }, [agents, zones, filter, sort]);

  // Set, a filter reads what it matches from the API (once typing pauses, for a search).
  useEffect(() => {
    if (!filter.session && !filter.zone && !filter.text) return;
    const t = setTimeout(() => void refreshFor(filter), filter.text ? 400 : 0);
    return () => clearTimeout(t);
    // Not on a status or swarm change: the feed carries both.
  }, [filter.session, filter.zone, filter.text]);

  const first = Math.max(0, Math.floor(view.top / ROW) - 5);
  const shown = rows.slice(first, first + Math.ceil(view.height / ROW) + 10);
  // Sorted by a number only views hold, the rows not read yet are read too (after those in
  // sight), a bounded batch each time the list is drawn.
  const unread = FROM_VIEW.has(sort.key)
    ? rows.filter((a) => value(a, sort.key) === undefined).slice(0, UNREAD_BATCH)
    : [];
  const shownIds = [...shown, ...unread].map((a) => a.id).join(',');
  useEffect(() => {
    const read = () => detailRows(shownIds ? shownIds.split(',') : []);
    read();
    const t = setInterval(read, 3000);
    return () => clearInterval(t);
  }, [shownIds]);
  useEffect(() => {
    const el = box.current!;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) =>
    setFilter({ ...filter, [k]: e.target.value });
  return (
    <section className="agents">
      <div className="filters">
        <input placeholder="search" value={filter.text} onChange={set('text')} aria-label="search" />
        <select value={filter.status} onChange={set('status')} aria-label="status">
          <option value="">any status</option>
          {AGENT_STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
          <option value={STALE}>stale</option>
        </select>
        <select value={filter.session} onChange={set('session')} aria-label="session">
          <option value="">any session</option>
          {sessions.map((s) => (
            <option key={s.id} value={s.id}>
              {String(s.name ?? s.id)}
            </option>
          ))}
        </select>
        <select value={filter.swarm} onChange={set('swarm')} aria-label="swarm">
          <option value="">any swarm</option>
          {swarms.map((s) => (
            <option key={s.id}>{s.id}</option>
          ))}
        </select>
        <select value={filter.zone} onChange={set('zone')} aria-label="zone">
          <option value="">any zone</option>
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name}
            </option>
          ))}
        </select>
        <span className="count" data-testid="agent-count">
          {rows.length} of {Object.keys(agents).length}
        </span>
      </div>
      <div className="row head">
        {COLUMNS.map(([key, label]) => (
          <button
            key={key}
            className={`c-${key}`}
            onClick={() => setSort({ key, down: sort.key === key ? !sort.down : key !== 'name' })}
          >
            {label}
            {sort.key === key ? (sort.down ? ' ▾' : ' ▴') : ''}
          </button>
        ))}
        <span className="c-zone">zone</span>
      </div>
      <div
        className="rows"
        ref={box}
        onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      >
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {shown.map((a, i) => (
            <div
              key={a.id}
              className={`row${a.id === selected ? ' on' : ''}`}
              style={{ top: (first + i) * ROW }}
              data-agent-id={a.id}
              onClick={() => onSelect(a.id)}
            >
              <span className="c-name" title={a.id}>
                {a.name ?? a.id}
              </span>
              <span className="c-type">{a.type ?? a.kind ?? ''}</span>
              <span className="c-status">
                <span className={`badge s-${a.status}`}>{a.status}</span>
                {a.stale && <span className="badge stale">stale</span>}
              </span>
              {a.activity && a.status === 'running' && !a.stale ? (
                <span className={`c-task${a.activity.kind === 'text' ? ' writing' : ''}`} title={a.task}>
                  <Activity activity={a.activity} />
                </span>
              ) : (
                <span className="c-task" title={a.task}>
                  {clip(a.task, 90)}
                </span>
              )}
              <span className="c-iterations">{a.iterations ?? '—'}</span>
              <span className="c-toolCalls">{a.toolCalls ?? '—'}</span>
              <span className="c-tokens">{a.tokens ? tokens(a.tokens.input + a.tokens.output) : '—'}</span>
              <span className="c-costUsd">{usd(a.costUsd)}</span>
              <span className="c-startedAt">{age(a.startedAt, a.closedAt)}</span>
              <span className="c-zone">{zoneOf.get(a.id) ?? ''}</span>
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

/** A live agent's latest doing, from the feed: its text as it is written, or its tool call. */
function Activity({ activity }: { activity: Doing }) {
  if (activity.kind === 'tool')
    return (
      <span className={`activity tool${activity.ok === false ? ' failed' : ''}`} data-testid="row-activity">
        ⚙ {activity.text}
        {activity.ok === undefined ? '…' : ''}
      </span>
    );
  return (
    <span className="activity text" data-testid="row-activity">
      <bdi>✎ {activity.text.replace(/\s+/g, ' ').slice(-120)}</bdi>
    </span>
  );
}
