/** Pause, resume and cancel a swarm or a session (and everything in it). */
import { useState } from 'react';
import { api } from '../api';
import { isLive } from '../types';
import { ConfirmButton } from './ConfirmButton';

export function KindControls({ base, status }: { base: string; status: string }) {
  const [note, setNote] = useState<string>();
  const act = (method: string, path: string) =>
    api<{ note?: string }>(method, path, {})
      .then((a) => setNote(a?.note))
      .catch((err: Error) => setNote(err.message));
  if (!isLive(status)) return null;
  return (
    <div className="controls">
      {status === 'paused' ? (
        <button onClick={() => void act('POST', `${base}/resume`)}>Resume</button>
      ) : (
        <button onClick={() => void act('POST', `${base}/pause`)}>Pause</button>
      )}
      <ConfirmButton label="Cancel" onConfirm={() => void act('DELETE', base)} />
      {note && <span className="note">{note}</span>}
    </div>
  );
}
