/** New agent: task, working directory, name, type, model, zone, session, autonomy (POST /api/v1/agents). */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { command } from '../feed';
import { AGENT_TYPES } from '../../domain/agent-type';
import { getState, patchAgent, update, useDash, type AgentDraft } from '../store';
import { loadZones } from '../sync';

const CWD_KEY = 'orchestra.cwd';

/** Subagents are started by their parent agent, not from here. */
const TYPES = AGENT_TYPES.filter((t) => t !== 'subagent');

export function NewAgent({ onClose, onStarted }: { onClose: () => void; onStarted: (id: string) => void }) {
  const zones = useDash((s) => s.zones);
  const sessions = useDash((s) => s.sessions);
  const [f, setF] = useState<AgentDraft>(
    () =>
      getState().agentDraft ?? {
        task: '',
        cwd: localStorage.getItem(CWD_KEY) ?? '',
        name: '',
        type: '',
        model: '',
        zone: '',
        sessionId: '',
        autonomy: '',
      },
  );
  // What was typed and not started: a click beside the dialog or Escape closes it, not the draft.
  useEffect(() => update((s) => ({ ...s, agentDraft: f })), [f]);
  useEffect(() => {
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', escape);
    return () => window.removeEventListener('keydown', escape);
  }, [onClose]);
  const [error, setError] = useState<string>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = { task: f.task, cwd: f.cwd };
    for (const k of ['name', 'type', 'model', 'zone', 'sessionId'] as const) if (f[k]) body[k] = f[k];
    if (f.autonomy) body.policy = { autonomy: f.autonomy };
    // Taken now: a dialog opened again while this start is under way starts empty, not with it.
    update((s) => ({ ...s, agentDraft: undefined }));
    try {
      type Started = { id: string; workspace?: string; owner?: string };
      const started = await command<Started>({ type: 'spawn_agent', request: body }, () =>
        api<Started>('POST', '/agents', body),
      );
      localStorage.setItem(CWD_KEY, f.cwd);
      patchAgent(started.id, {
        name: f.name || started.id,
        task: f.task,
        status: 'running',
        workspace: started.workspace,
        owner: started.owner,
        startedAt: new Date().toISOString(),
        ...(f.sessionId ? { sessionId: f.sessionId } : {}),
      });
      if (f.zone) void loadZones();
      onStarted(started.id);
    } catch (err) {
      update((s) => ({ ...s, agentDraft: f })); // not started: kept, as typed
      setError((err as Error).message);
    }
  };
  return (
    <div className="overlay" onClick={onClose}>
      <form
        className="dialog"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => void submit(e)}
        aria-label="New agent"
      >
        <h2>New agent</h2>
        <label>
          Task
          <textarea
            value={f.task}
            onChange={set('task')}
            placeholder="What should it do? (empty: it waits for a message)"
            autoFocus
          />
        </label>
        <label>
          Working directory
          <input value={f.cwd} onChange={set('cwd')} placeholder="/home/you/src/project" required />
        </label>
        <div className="pair">
          <label>
            Name
            <input value={f.name} onChange={set('name')} />
          </label>
          <label>
            Model
            <input value={f.model} onChange={set('model')} placeholder="the API's default" />
          </label>
        </div>
        <div className="pair">
          <label>
            Type
            <select value={f.type} onChange={set('type')}>
              <option value="">default</option>
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Autonomy
            <select value={f.autonomy} onChange={set('autonomy')}>
              <option value="">default</option>
              <option value="full">full: never asks</option>
              <option value="semi">semi: asks before changes</option>
              <option value="supervised">supervised: asks before every tool</option>
            </select>
          </label>
        </div>
        <div className="pair">
          <label>
            Zone
            <select value={f.zone} onChange={set('zone')}>
              <option value="">none</option>
              {zones.map((z) => (
                <option key={z.id} value={z.id}>
                  {z.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Session
            <select value={f.sessionId} onChange={set('sessionId')}>
              <option value="">none</option>
              {sessions.map((s) => (
                <option key={s.id} value={s.id}>
                  {String(s.name ?? s.id)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {error && <div className="error">{error}</div>}
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button className="primary">Start</button>
        </div>
      </form>
    </div>
  );
}
