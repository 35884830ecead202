/** Zones: create, rename, delete, and choose each one's agents (the /zones routes; stored durably by the API). */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ConfirmButton } from './ConfirmButton';
import { useDash } from '../store';
import { loadZones } from '../sync';
import type { Zone } from '../types';

export function ZoneManager() {
  const zones = useDash((s) => s.zones);
  const [f, setF] = useState({ name: '', directory: '' });
  const [chosen, setChosen] = useState<string>();
  const [error, setError] = useState<string>();
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
    await loadZones();
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const zone = await api<Zone>('POST', '/zones', {
        name: f.name,
        ...(f.directory ? { directory: f.directory } : {}),
      });
      setF({ name: '', directory: '' });
      setChosen(zone.id);
    });
  };
  const zone = zones.find((z) => z.id === chosen);
  return (
    <section className="split">
      <div className="column">
        <form className="panel" onSubmit={create} aria-label="New zone">
          <h3>New zone</h3>
          <input
            value={f.name}
            onChange={(e) => setF({ ...f, name: e.target.value })}
            placeholder="Name"
            required
          />
          <input
            value={f.directory}
            onChange={(e) => setF({ ...f, directory: e.target.value })}
            placeholder="Directory (optional)"
          />
          <button className="primary">Create</button>
        </form>
        {error && <div className="error">{error}</div>}
        <ul className="entries">
          {zones.map((z) => (
            <ZoneEntry key={z.id} zone={z} on={z.id === chosen} onChoose={() => setChosen(z.id)} run={run} />
          ))}
          {zones.length === 0 && <li className="empty">No zones yet.</li>}
        </ul>
      </div>
      {zone && <Assign key={zone.id} zone={zone} run={run} />}
    </section>
  );
}

function ZoneEntry(props: {
  zone: Zone;
  on: boolean;
  onChoose: () => void;
  run: (fn: () => Promise<unknown>) => Promise<void>;
}) {
  const { zone, on, onChoose, run } = props;
  const [name, setName] = useState<string>();
  const path = `/zones/${encodeURIComponent(zone.id)}`;
  return (
    <li className={on ? 'on' : ''} onClick={onChoose} data-zone={zone.name}>
      {name === undefined ? (
        <>
          <b>{zone.name}</b> {zone.directory && <code>{zone.directory}</code>} · {zone.agentIds.length} agents
          <button onClick={(e) => (e.stopPropagation(), setName(zone.name))}>Rename</button>
          <ConfirmButton label="Delete" onConfirm={() => void run(() => api('DELETE', path))} />
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api('PATCH', path, { name })).then(() => setName(undefined));
          }}
        >
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="zone name" autoFocus />
          <button className="primary">Save</button>
          <button type="button" onClick={() => setName(undefined)}>
            Close
          </button>
        </form>
      )}
    </li>
  );
}

/** The chosen zone's agents: tick the ones it should hold (agents may be in one zone at a time). */
function Assign({ zone, run }: { zone: Zone; run: (fn: () => Promise<unknown>) => Promise<void> }) {
  const agents = useDash((s) => s.agents);
  const [ids, setIds] = useState(new Set(zone.agentIds));
  const [text, setText] = useState('');
  const list = Object.values(agents)
    .filter(
      (a) =>
        (!zone.workspace || !a.workspace || a.workspace === zone.workspace) &&
        `${a.id} ${a.name ?? ''}`.includes(text),
    )
    .slice(0, 300);
  const toggle = (id: string) => {
    const next = new Set(ids);
    if (!next.delete(id)) next.add(id);
    setIds(next);
  };
  return (
    <div className="column detail" data-testid="zone-assign">
      <h2>Agents of {zone.name}</h2>
      <input placeholder="search" value={text} onChange={(e) => setText(e.target.value)} />
      <ul className="checks">
        {list.map((a) => (
          <li key={a.id}>
            <label>
              <input type="checkbox" checked={ids.has(a.id)} onChange={() => toggle(a.id)} /> {a.name ?? a.id}{' '}
              <span className={`badge s-${a.status}`}>{a.status}</span>
            </label>
          </li>
        ))}
      </ul>
      <button
        className="primary"
        onClick={() =>
          void run(() => api('PUT', `/zones/${encodeURIComponent(zone.id)}/agents`, { agentIds: [...ids] }))
        }
      >
        Save agents
      </button>
    </div>
  );
}
