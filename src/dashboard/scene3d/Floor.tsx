/**
 * What stays put: a floor tile per zone with its name along its front edge, and the lines
 * from parents to children (at chest height) and from a swarm's hub to its members (on the
 * floor). Three draw calls whatever the number of zones and agents.
 */
import { useLayoutEffect, useMemo, useRef } from 'react';
import * as THREE from 'three';
import { LabelSheet } from './LabelSheet';
import type { Layout } from './layout';

const TILE_COLORS = ['#1c2a3a', '#22303f', '#1f3330', '#2b2a3d', '#33291f', '#262f24'];
const NO_ZONE_COLOR = '#202226';
const LINK_COLORS = { child: new THREE.Color('#e9ecef'), swarm: new THREE.Color('#3bc9db') };
const LINK_Y = { child: 0.9, swarm: 0.08 };
// Flat quads drawn first, without the depth buffer: the floor is under everything.
const TILE = new THREE.PlaneGeometry().rotateX(-Math.PI / 2);

/** Flat on the floor, reading along the tile's front-right edge (world -z, up the screen). */
const FLAT = new THREE.Quaternion().setFromEuler(new THREE.Euler(-Math.PI / 2, Math.PI / 2, 0, 'YXZ'));

export function Floor({ layout }: { layout: Layout }) {
  const tiles = useRef<THREE.InstancedMesh>(null);
  const count = layout.tiles.length;

  useLayoutEffect(() => {
    const m = tiles.current;
    if (!m) return;
    const matrix = new THREE.Matrix4();
    const color = new THREE.Color();
    layout.tiles.forEach((tile, i) => {
      matrix.makeScale(tile.size, 1, tile.size).setPosition(tile.x, 0, tile.z);
      m.setMatrixAt(i, matrix);
      m.setColorAt(i, color.set(tile.noZone ? NO_ZONE_COLOR : TILE_COLORS[i % TILE_COLORS.length]));
    });
    m.instanceMatrix.needsUpdate = true;
    if (m.instanceColor) m.instanceColor.needsUpdate = true;
  }, [layout, count]);

  const names = useMemo(() => {
    const size = layout.tiles[0]?.size ?? 1;
    return {
      cells: layout.tiles.map((t) => ({ text: t.name })),
      matrices: layout.tiles.map((t) =>
        new THREE.Matrix4().compose(
          new THREE.Vector3(t.x + t.size / 2 - 0.75, 0.01, t.z),
          FLAT,
          new THREE.Vector3(1, 1, 1),
        ),
      ),
      width: size * 0.92,
      height: 1.3,
    };
  }, [layout]);

  const lines = useMemo(() => {
    const g = new THREE.BufferGeometry();
    const positions: number[] = [];
    const colors: number[] = [];
    for (const link of layout.links) {
      const y = LINK_Y[link.kind];
      const c = LINK_COLORS[link.kind];
      positions.push(link.from.x, y, link.from.z, link.to.x, y, link.to.z);
      colors.push(c.r, c.g, c.b, c.r, c.g, c.b);
    }
    g.setAttribute('position', new THREE.Float32BufferAttribute(positions, 3));
    g.setAttribute('color', new THREE.Float32BufferAttribute(colors, 3));
    return g;
  }, [layout]);
  useLayoutEffect(() => () => lines.dispose(), [lines]);

  return (
    <>
      <instancedMesh
        key={count}
        ref={tiles}
        args={[TILE, undefined, count]}
        raycast={() => null}
        renderOrder={-2}
      >
        <meshBasicMaterial depthTest={false} depthWrite={false} />
      </instancedMesh>
      <LabelSheet {...names} cellPx={64} bare />
      {layout.links.length > 0 && (
        <lineSegments geometry={lines} raycast={() => null}>
          <lineBasicMaterial vertexColors />
        </lineSegments>
      )}
    </>
  );
}
