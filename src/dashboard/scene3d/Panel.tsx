/**
 * The floating panel over one agent (the selected one, and the one under the pointer): its
 * name, status, task, tokens and cost, as HTML that follows the agent on screen. Only these
 * one or two are HTML; every other agent has a label drawn in the scene (LabelSheet).
 */
import { Html } from '@react-three/drei';
import type { CSSProperties } from 'react';
import { MARKER_Y } from './Characters';
import type { Spot } from './layout';
import { lookOf } from './look';
import type { SceneAgent } from './types';

const box: CSSProperties = {
  transform: 'translate(-50%, -100%)',
  minWidth: 160,
  maxWidth: 260,
  padding: '6px 10px',
  borderRadius: 6,
  background: 'rgba(22, 27, 34, 0.92)',
  color: '#f1f3f5',
  font: '12px/1.35 sans-serif',
  pointerEvents: 'none',
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
};

export function Panel({ agent, spot, selected }: { agent: SceneAgent; spot: Spot; selected: boolean }) {
  const look = lookOf(agent.status);
  const figures = [
    agent.tokens !== undefined ? `${agent.tokens.toLocaleString('en-US')} tokens` : '',
    agent.costUsd !== undefined ? `$${agent.costUsd.toFixed(agent.costUsd < 1 ? 4 : 2)}` : '',
  ].filter(Boolean);
  return (
    <Html position={[spot.x, MARKER_Y + 0.6, spot.z]} zIndexRange={[selected ? 20 : 10, 0]}>
      <div
        data-testid={selected ? 'scene3d-panel-selected' : 'scene3d-panel-hovered'}
        data-agent-id={agent.id}
        style={{ ...box, border: `1px solid ${selected ? '#ffd43b' : look.color}` }}
      >
        <div style={{ fontWeight: 600, fontSize: 13, overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {agent.name}
        </div>
        <div style={{ color: look.color, filter: 'brightness(1.4)' }}>{agent.status.replace(/_/g, ' ')}</div>
        {agent.task && (
          <div style={{ color: '#adb5bd', overflow: 'hidden', textOverflow: 'ellipsis' }} title={agent.task}>
            {agent.task}
          </div>
        )}
        {figures.length > 0 && <div style={{ color: '#868e96' }}>{figures.join(' · ')}</div>}
      </div>
    </Html>
  );
}
