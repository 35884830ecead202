/** How a status looks: the character's color and how it moves. Pure, as the layout. */
import type { SceneAgent } from './types';

export type Motion = 'bob' | 'pulse' | 'still' | 'fallen' | 'sunk' | 'wobble';

export interface Look {
  /** The body's color (#rrggbb); the head is a lighter tone of it. */
  color: string;
  motion: Motion;
  /** A marker floats over its head (stale: the dashboard lost track of it). */
  flagged: boolean;
  /** One word for its label. */
  word: string;
}

export const LOOKS: Record<SceneAgent['status'], Look> = {
  running: { color: '#2f9e44', motion: 'bob', flagged: false, word: 'running' },
  waiting_for_input: { color: '#f59f00', motion: 'pulse', flagged: false, word: 'waiting' },
  idle: { color: '#4c6ef5', motion: 'still', flagged: false, word: 'idle' },
  paused: { color: '#868e96', motion: 'still', flagged: false, word: 'paused' },
  failed: { color: '#e03131', motion: 'fallen', flagged: false, word: 'failed' },
  completed: { color: '#2b5a3a', motion: 'sunk', flagged: false, word: 'done' },
  cancelled: { color: '#495057', motion: 'sunk', flagged: false, word: 'cancelled' },
  stale: { color: '#ae3ec9', motion: 'wobble', flagged: true, word: 'stale' },
};

export function lookOf(status: SceneAgent['status']): Look {
  return LOOKS[status] ?? LOOKS.stale;
}
