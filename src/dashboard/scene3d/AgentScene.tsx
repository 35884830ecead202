/**
 * The dashboard's 3D view: an isometric floor plan of the same state as the agent list.
 * Zones are floor tiles (agents without one stand in "no zone"), agents are characters whose
 * color and motion show their status, lines join parents to children and swarms to their
 * hub, each agent has a label, and the selected and hovered ones a panel. A click on an
 * agent calls `onSelect` (the dashboard opens its chat). Built to stay above 30 fps with a
 * hundred agents under software WebGL: a handful of draw calls, no shadows, dpr 1.
 */
import { MapControls, OrthographicCamera } from '@react-three/drei';
import { Canvas, useFrame, useThree } from '@react-three/fiber';
import { useLayoutEffect, useMemo, useState } from 'react';
import * as THREE from 'three';
import { Characters, MARKER_Y } from './Characters';
import { Floor } from './Floor';
import { LabelSheet } from './LabelSheet';
import { layoutScene, type Layout } from './layout';
import { lookOf } from './look';
import { Panel } from './Panel';
import type { SceneAgent, SceneProbe, SceneZone } from './types';

export interface AgentSceneProps {
  agents: SceneAgent[];
  zones: SceneZone[];
  /** The agent whose chat is open: ringed and enlarged, its panel always shown. */
  selectedId?: string;
  /** A click on an agent (not a drag that pans the view). */
  onSelect(agentId: string): void;
  /** Handles on the running scene, for tests and the bench. */
  onProbe?(probe: SceneProbe): void;
}

/** The camera looks down this direction's opposite: the classic isometric angle. */
const ISO = new THREE.Vector3(1, 1, 1).normalize();
/** Agents' labels face the camera (which never rotates: the controls only pan and zoom). */
const FACING = new THREE.Quaternion().setFromRotationMatrix(
  new THREE.Matrix4().lookAt(ISO, new THREE.Vector3(), new THREE.Vector3(0, 1, 0)),
);
const LABEL_Y = MARKER_Y + 0.5;
/** One array for good: a new one would put the camera back where it started (pan lost). */
const CAMERA_AT = ISO.clone().multiplyScalar(200).toArray();

export function AgentScene({ agents, zones, selectedId, onSelect, onProbe }: AgentSceneProps) {
  // The dashboard hands a new array at each change of any agent (text being written, tokens):
  // the floor, the characters and the labels are rebuilt only when what they draw changed.
  const layout = useKeyed(
    () => layoutScene(agents, zones),
    JSON.stringify([
      agents.map((a) => [a.id, a.zoneId, a.parentId, a.swarmId]),
      zones.map((z) => [z.id, z.name]),
    ]),
  );
  const figures = useKeyed(() => agents, JSON.stringify(agents.map((a) => [a.id, a.status, a.name])));
  const [hoveredId, setHoveredId] = useState<string | undefined>();
  const byId = useMemo(() => new Map(agents.map((a) => [a.id, a])), [agents]);
  const selected = selectedId ? byId.get(selectedId) : undefined;
  const hovered = hoveredId && hoveredId !== selectedId ? byId.get(hoveredId) : undefined;

  return (
    <Canvas
      dpr={1}
      flat
      frameloop="always"
      gl={{ antialias: false, alpha: false, stencil: false, powerPreference: 'high-performance' }}
      style={{ width: '100%', height: '100%', background: '#0d1117' }}
      data-testid="scene3d-canvas"
    >
      <color attach="background" args={['#0d1117']} />
      <Camera layout={layout} />
      <Floor layout={layout} />
      <Characters
        agents={figures}
        spots={layout.spots}
        selectedId={selectedId}
        hoveredId={hoveredId}
        onSelect={onSelect}
        onHover={setHoveredId}
      />
      <AgentLabels agents={figures} layout={layout} />
      {selected && <Ring at={layout.spots.get(selected.id)!} color="#ffd43b" />}
      {hovered && <Ring at={layout.spots.get(hovered.id)!} color="#868e96" />}
      {selected && <Panel agent={selected} spot={layout.spots.get(selected.id)!} selected />}
      {hovered && <Panel agent={hovered} spot={layout.spots.get(hovered.id)!} selected={false} />}
      {onProbe && <Probe layout={layout} onProbe={onProbe} />}
    </Canvas>
  );
}

/** The value `make` gave for this key, kept while the key stays the same. */
function useKeyed<T>(make: () => T, key: string): T {
  const [kept, setKept] = useState(() => ({ key, value: make() }));
  if (kept.key === key) return kept.value;
  // A new key: made now, kept for the next renders (React's way to derive state from props).
  const next = { key, value: make() };
  setKept(next);
  return next.value;
}

/** The isometric camera, zoomed to fit the floor (again when it grows); pan and zoom only. */
function Camera({ layout }: { layout: Layout }) {
  const { width, height } = useThree((s) => s.size);
  // A square of half-side E seen from ISO spans 2.83E across and 1.41E (plus heights) down.
  const zoom = Math.min(width / (2.9 * layout.extent), height / (1.45 * layout.extent + 4));
  return (
    <>
      <OrthographicCamera makeDefault position={CAMERA_AT} zoom={zoom} near={1} far={1000} />
      <MapControls
        makeDefault
        enableRotate={false}
        enableDamping={false}
        screenSpacePanning
        minZoom={2}
        maxZoom={200}
      />
    </>
  );
}

function AgentLabels({ agents, layout }: { agents: SceneAgent[]; layout: Layout }) {
  const cells = useMemo(
    () => agents.map((a) => ({ text: a.name, sub: lookOf(a.status).word, accent: lookOf(a.status).color })),
    [agents],
  );
  const matrices = useMemo(
    () =>
      agents.map((a) => {
        const spot = layout.spots.get(a.id)!;
        return new THREE.Matrix4().compose(
          new THREE.Vector3(spot.x, LABEL_Y, spot.z),
          FACING,
          new THREE.Vector3(1, 1, 1),
        );
      }),
    [agents, layout],
  );
  return <LabelSheet cells={cells} matrices={matrices} width={1.9} height={0.62} />;
}

function Ring({ at, color }: { at: { x: number; z: number }; color: string }) {
  return (
    <mesh position={[at.x, 0.02, at.z]} rotation={[-Math.PI / 2, 0, 0]} raycast={() => null}>
      <ringGeometry args={[0.7, 0.95, 24]} />
      <meshBasicMaterial color={color} />
    </mesh>
  );
}

/** Counts rendered frames and projects agents to the page: what tests and the bench read. */
function Probe({ layout, onProbe }: { layout: Layout; onProbe(probe: SceneProbe): void }) {
  const state = useThree();
  const counter = useMemo(() => ({ frames: 0 }), []);
  useFrame(() => {
    counter.frames++;
  });
  useLayoutEffect(() => {
    onProbe({
      frames: () => counter.frames,
      screenPosition(agentId) {
        const spot = layout.spots.get(agentId);
        if (!spot) return undefined;
        const v = new THREE.Vector3(spot.x, 0.6, spot.z).project(state.camera);
        const rect = state.gl.domElement.getBoundingClientRect();
        return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
      },
    });
  }, [layout, onProbe, state, counter]);
  return null;
}
