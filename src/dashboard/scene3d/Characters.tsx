/**
 * The agents: one low-poly character each (a six-sided body, a faceted head), all of them in
 * one mesh, so a hundred agents are one draw call. Each frame poses every character (running
 * bobs, waiting pulses, stale wobbles) by writing its vertices on the CPU: a few thousand
 * vertices, well under a millisecond. Not an instanced mesh: SwiftShader (software WebGL)
 * pays for each instance of an instanced draw, and that cost grew with the agents. Colors are
 * set when a status changes; waiting agents' colors pulse. A click's triangle names its agent.
 */
import { useFrame, type ThreeEvent } from '@react-three/fiber';
import { useLayoutEffect, useMemo } from 'react';
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import type { Spot } from './layout';
import { lookOf, type Motion } from './look';
import { bakeLight } from './shade';
import type { SceneAgent } from './types';

/** Heights, in world units: where the head is, where the marker and label float. */
export const HEAD_Y = 1.45;
export const MARKER_Y = 2.15;

/** Body and head; then the stale marker, collapsed to a point for an agent that is not stale. */
function characterGeometry(): { figure: THREE.BufferGeometry; markerFrom: number } {
  const body = bakeLight(new THREE.CylinderGeometry(0.3, 0.5, 1.1, 6).translate(0, 0.55, 0), 0.8);
  const head = bakeLight(new THREE.IcosahedronGeometry(0.34, 0).translate(0, HEAD_Y, 0), 1.1);
  const marker = bakeLight(new THREE.OctahedronGeometry(0.22, 0).translate(0, MARKER_Y, 0), 1.2, 0.8);
  for (const g of [body, head, marker]) g.deleteAttribute('uv');
  const figure = mergeGeometries([body, head, marker])!;
  return {
    figure,
    markerFrom: figure.getAttribute('position').count - marker.getAttribute('position').count,
  };
}

const MARKER_COLOR = new THREE.Color('#ffd43b');

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
  const { figure: base, markerFrom } = useMemo(characterGeometry, []);
  const count = agents.length;
  const looks = useMemo(() => agents.map((a) => lookOf(a.status)), [agents]);
  const phases = useMemo(() => agents.map((a) => (hash(a.id) % 628) / 100), [agents]);
  const pulsing = useMemo(() => looks.some((l) => l.motion === 'pulse'), [looks]);

  // Every character's vertices in one buffer, posed each frame; their colors: shade x status.
  const shape = base.getAttribute('position').array as Float32Array;
  const shade = base.getAttribute('color').array as Float32Array;
  const perAgent = shape.length / 3;
  const geometry = useMemo(() => {
    const g = new THREE.BufferGeometry();
    g.setAttribute(
      'position',
      new THREE.BufferAttribute(new Float32Array(count * shape.length), 3).setUsage(THREE.DynamicDrawUsage),
    );
    g.setAttribute(
      'color',
      new THREE.BufferAttribute(new Float32Array(count * shape.length), 3).setUsage(THREE.DynamicDrawUsage),
    );
    return g;
  }, [count, shape]);
  useLayoutEffect(() => () => geometry.dispose(), [geometry]);

  const colors = useMemo(() => looks.map((l) => new THREE.Color(l.color)), [looks]);
  const paint = (i: number, c: THREE.Color) => {
    const out = geometry.getAttribute('color').array as Float32Array;
    const at = i * shape.length;
    for (let k = 0; k < shape.length; k += 3) {
      const tone = k < markerFrom * 3 ? c : MARKER_COLOR;
      out[at + k] = tone.r * shade[k];
      out[at + k + 1] = tone.g * shade[k + 1];
      out[at + k + 2] = tone.b * shade[k + 2];
    }
  };
  useLayoutEffect(() => {
    colors.forEach((c, i) => paint(i, c));
    geometry.getAttribute('color').needsUpdate = true;
    geometry.boundingSphere = null; // the raycast's first test: recomputed on the next frame
  }, [colors, geometry]);

  const matrix = useMemo(() => new THREE.Matrix4(), []);
  const color = useMemo(() => new THREE.Color(), []);
  useFrame(({ clock }) => {
    const t = clock.elapsedTime;
    const out = geometry.getAttribute('position').array as Float32Array;
    for (let i = 0; i < count; i++) {
      const agent = agents[i];
      pose(matrix, spots.get(agent.id)!, looks[i].motion, t, phases[i], agent.id === selectedId);
      const e = matrix.elements;
      const at = i * shape.length;
      const end = looks[i].flagged ? shape.length : markerFrom * 3;
      for (let k = 0; k < end; k += 3) {
        const [x, y, z] = [shape[k], shape[k + 1], shape[k + 2]];
        out[at + k] = e[0] * x + e[4] * y + e[8] * z + e[12];
        out[at + k + 1] = e[1] * x + e[5] * y + e[9] * z + e[13];
        out[at + k + 2] = e[2] * x + e[6] * y + e[10] * z + e[14];
      }
      // No marker: its triangles all at one point, which draws nothing.
      for (let k = end; k < shape.length; k++) out[at + k] = out[at + (k % 3)];
      if (looks[i].motion === 'pulse')
        paint(i, color.copy(colors[i]).multiplyScalar(0.75 + 0.35 * Math.sin(t * 4 + phases[i])));
    }
    geometry.getAttribute('position').needsUpdate = true;
    if (pulsing) geometry.getAttribute('color').needsUpdate = true;
    if (!geometry.boundingSphere) geometry.computeBoundingSphere();
  });

  // Each character is `perAgent / 3` triangles, in the agents' order.
  const idAt = (e: ThreeEvent<PointerEvent | MouseEvent>) =>
    e.faceIndex === undefined || e.faceIndex === null
      ? undefined
      : agents[Math.floor((e.faceIndex * 3) / perAgent)]?.id;

  return (
    <>
      <mesh
        geometry={geometry}
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
      </mesh>
    </>
  );
}

/** A small stable number from an id (each agent's own phase and facing). */
function hash(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h;
}
