/**
 * The 3D tab: the same agents and zones as the list, as an isometric scene (scene3d/); a click
 * on an agent opens its chat beside it. three.js is loaded only when the tab is first opened:
 * the 2D views do not pay for it.
 */
import { Component, lazy, Suspense, useMemo, type ReactNode } from 'react';
import { useDash } from '../store';
import type { SceneAgent, SceneZone } from '../scene3d/types';
import { AgentDetail } from './AgentDetail';

const AgentScene = lazy(async () => ({ default: (await import('../scene3d/AgentScene')).AgentScene }));

export function SceneView(props: { selected?: string; onSelect: (id: string) => void; onClose: () => void }) {
  const { selected, onSelect, onClose } = props;
  const agents = useDash((s) => s.agents);
  const zones = useDash((s) => s.zones);
  // Memoized: a new array rebuilds the scene's layout and labels.
  const sceneZones = useMemo<SceneZone[]>(() => zones.map((z) => ({ id: z.id, name: z.name })), [zones]);
  const sceneAgents = useMemo<SceneAgent[]>(() => {
    const zoneOf = new Map<string, string>();
    for (const z of zones) for (const id of z.agentIds) zoneOf.set(id, z.id);
    return Object.values(agents).map((a) => ({
      id: a.id,
      name: a.name ?? a.id,
      // The scene has no "unknown": an agent not yet read stands idle until its status arrives.
      status: a.stale ? 'stale' : a.status === 'unknown' ? 'idle' : a.status,
      zoneId: zoneOf.get(a.id),
      parentId: a.parentId,
      swarmId: a.swarmId,
      task: a.task,
      costUsd: a.costUsd,
      tokens: a.tokens ? a.tokens.input + a.tokens.output : undefined,
    }));
  }, [agents, zones]);
  return (
    <>
      <div className="scene">
        <SceneBoundary>
          <Suspense fallback={<p className="muted">loading the 3D view…</p>}>
            <AgentScene agents={sceneAgents} zones={sceneZones} selectedId={selected} onSelect={onSelect} />
          </Suspense>
        </SceneBoundary>
      </div>
      {selected && <AgentDetail key={selected} id={selected} onSelect={onSelect} onClose={onClose} />}
    </>
  );
}

/**
 * The 3D view's own failure (its chunk gone after a redeploy, WebGL refused): said in its
 * place while the rest of the page goes on. Only a reload helps: the browser keeps a failed
 * import for the page's life, and a redeployed chunk has a new name.
 */
class SceneBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error" role="alert">
        The 3D view could not load: {this.state.error.message}.{' '}
        <button onClick={() => location.reload()}>Reload the page</button>
      </div>
    );
  }
}
