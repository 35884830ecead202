/**
 * The agents: one low-poly character each (a six-sided body, a faceted head), all of them in
 * one instanced mesh, so a hundred agents are one draw call. Each frame moves only what its
 * status animates (running bobs, waiting pulses, stale wobbles); colors are set when a status
 * changes, and waiting agents' colors pulse. Clicks and hovers come back by instance id.
 */
import { useFrame, type ThreeEvent } from '@react-three/fiber';
import { useLayoutEffect, useMemo, useRef } from 'react';
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import type { Spot } from './layout';
import { lookOf, type Motion } from './look';
import { bakeLight } from './shade';
import type { SceneAgent } from './types';

/** Heights, in world units: where the head is, where the marker and label float. */
export const HEAD_Y = 1.45;
export const MARKER_Y = 2.15;

function characterGeometry(): THREE.BufferGeometry {
  const body = bakeLight(new THREE.CylinderGeometry(0.3, 0.5, 1.1, 6).translate(0, 0.55, 0), 0.8);
  const head = bakeLight(new THREE.IcosahedronGeometry(0.34, 0).translate(0, HEAD_Y, 0), 1.1);
  body.deleteAttribute('uv');
  head.deleteAttribute('uv');
  return mergeGeometries([body, head])!;
}

const up = new THREE.Vector3(0, 1, 0);
const tilt = new THREE.Vector3(0, 0, 1);
const q = new THREE.Quaternion();
const q2 = new THREE.Quaternion();
const p = new THREE.Vector3();
const s = new THREE.Vector3();

/** Where the character of an agent stands at time `t` (seconds), into `out`. */
function pose(out: THREE.Matrix4, spot: Spot, motion: Motion, t: number, phase: number, big: boolean) {
  p.set(spot.x, 0, spot.z);
  q.identity();
  s.setScalar(big ? 1.15 : 1);
  switch (motion) {
    case 'bob':
      p.y = 0.18 * Math.abs(Math.sin(t * 5 + phase));
      q.setFromAxisAngle(tilt, 0.08 * Math.sin(t * 5 + phase));
      break;
    case 'pulse':
      s.multiplyScalar(1 + 0.07 * Math.sin(t * 4 + phase));
      break;
    case 'fallen':
      q.setFromAxisAngle(tilt, -1.35);
      p.y = 0.45;
      break;
    case 'sunk':
      s.y *= 0.75;
      break;
    case 'wobble':
      q.setFromAxisAngle(tilt, 0.2 * Math.sin(t * 3 + phase));
      break;
  }
  q2.setFromAxisAngle(up, phase); // each faces its own way
  q.multiply(q2);
  out.compose(p, q, s);
}

interface Props {
  agents: SceneAgent[];
  spots: Map<string, Spot>;
  selectedId?: string;
  hoveredId?: string;
  onSelect(agentId: string): void;
  onHover(agentId: string | undefined): void;
}

export function Characters({ agents, spots, selectedId, hoveredId, onSelect, onHover }: Props) {
  const bodies = useRef<THREE.InstancedMesh>(null);
  const markers = useRef<THREE.InstancedMesh>(null);
  const geometry = useMemo(characterGeometry, []);
  const count = agents.length;
  const looks = useMemo(() => agents.map((a) => lookOf(a.status)), [agents]);
  const phases = useMemo(() => agents.map((a) => (hash(a.id) % 628) / 100), [agents]);
  const flagged = useMemo(() => agents.flatMap((a, i) => (lookOf(a.status).flagged ? [i] : [])), [agents]);
  const colors = useMemo(() => looks.map((l) => new THREE.Color(l.color)), [looks]);

  useLayoutEffect(() => {
    const m = bodies.current;
    if (!m) return;
    colors.forEach((c, i) => m.setColorAt(i, c));
    if (m.instanceColor) m.instanceColor.needsUpdate = true;
    m.boundingSphere = null; // the raycast's first test: recomputed from the new places
  }, [colors, count]);

  const matrix = useMemo(() => new THREE.Matrix4(), []);
  const color = useMemo(() => new THREE.Color(), []);
  useFrame(({ clock }) => {
    const m = bodies.current;
    if (!m) return;
    const t = clock.elapsedTime;
    for (let i = 0; i < count; i++) {
      const agent = agents[i];
      pose(matrix, spots.get(agent.id)!, looks[i].motion, t, phases[i], agent.id === selectedId);
      m.setMatrixAt(i, matrix);
      if (looks[i].motion === 'pulse') {
        m.setColorAt(i, color.copy(colors[i]).multiplyScalar(0.75 + 0.35 * Math.sin(t * 4 + phases[i])));
      }
    }
    m.instanceMatrix.needsUpdate = true;
    if (m.instanceColor) m.instanceColor.needsUpdate = true;
    const f = markers.current;
    if (f) {
      flagged.forEach((i, k) => {
        const spot = spots.get(agents[i].id)!;
        matrix.makeRotationY(t * 2).setPosition(spot.x, MARKER_Y + 0.1 * Math.sin(t * 3), spot.z);
        f.setMatrixAt(k, matrix);
      });
      f.instanceMatrix.needsUpdate = true;
    }
  });

  const idAt = (e: ThreeEvent<PointerEvent | MouseEvent>) =>
    e.instanceId === undefined ? undefined : agents[e.instanceId]?.id;

  return (
    <>
      <instancedMesh
        key={count}
        ref={bodies}
        args={[geometry, undefined, count]}
        frustumCulled={false}
        onClick={(e) => {
          e.stopPropagation();
          const id = idAt(e);
          if (id && e.delta < 6) onSelect(id); // a drag that pans the view is not a click
        }}
        onPointerMove={(e) => {
          e.stopPropagation();
          const id = idAt(e);
          if (id !== hoveredId) onHover(id);
        }}
        onPointerOut={() => onHover(undefined)}
      >
        <meshBasicMaterial vertexColors />
      </instancedMesh>
      {flagged.length > 0 && (
        <instancedMesh
          key={`m${flagged.length}`}
          ref={markers}
          args={[undefined, undefined, flagged.length]}
          frustumCulled={false}
        >
          <octahedronGeometry args={[0.22, 0]} />
          <meshBasicMaterial color="#ffd43b" />
        </instancedMesh>
      )}
    </>
  );
}

/** A small stable number from an id (each agent's own phase and facing). */
function hash(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h;
}
