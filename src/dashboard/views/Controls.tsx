/** Pause, resume (optionally with a new task), cancel: offered in the statuses that accept them. */
import { useState } from 'react';
import { api } from '../api';
import { command, type Command } from '../feed';
import { refusalReason } from '../../domain/status';
import type { Status } from '../types';
import { ConfirmButton } from './ConfirmButton';

type Answer = { note?: string; queued?: boolean } | undefined;

export function Controls({ id, status, onChanged }: { id: string; status: Status; onChanged: () => void }) {
  const [task, setTask] = useState('');
  const [note, setNote] = useState<string>();
  const path = `/agents/${encodeURIComponent(id)}`;
  /** Over the feed's WebSocket when it is open, else by the REST route. */
  const act = async (cmd: Command, method: string, url: string, body: object, label: string) => {
    setNote(`${label}…`);
    try {
      const answer = await command<Answer>(cmd, () => api<Answer>(method, url, body));
      setNote(answer?.queued ? `${label}: queued (no worker took it yet)` : answer?.note);
    } catch (err) {
      setNote((err as Error).message);
    }
    onChanged();
  };
  // The domain's state machine says what each status accepts.
  const accepts = (action: 'pause' | 'cancel') => status !== 'unknown' && !refusalReason(action, status);
  const canPause = accepts('pause');
  const canCancel = accepts('cancel');
  return (
    <div className="controls">
      {canPause && (
        <button
          onClick={() => void act({ type: 'pause_agent', agentId: id }, 'POST', `${path}/pause`, {}, 'pause')}
        >
          Pause
        </button>
      )}
      {status === 'paused' && (
        <>
          <input
            placeholder="new task (optional)"
            value={task}
            onChange={(e) => setTask(e.target.value)}
            aria-label="new task"
          />
          <button
            onClick={() =>
              void act(
                { type: 'resume_agent', agentId: id, ...(task ? { task } : {}) },
                'POST',
                `${path}/resume`,
                task ? { task } : {},
                'resume',
              ).then(() => setTask(''))
            }
          >
            Resume
          </button>
        </>
      )}
      {canCancel && (
        <ConfirmButton
          label="Cancel"
          onConfirm={() => void act({ type: 'kill_agent', agentId: id }, 'DELETE', path, {}, 'cancel')}
        />
      )}
      {note && <span className="note">{note}</span>}
    </div>
  );
}
