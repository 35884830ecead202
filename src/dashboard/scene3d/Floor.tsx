/**
 * What stays put: a floor tile per zone with its name along its front edge, and the lines
 * from parents to children (at chest height) and from a swarm's hub to its members (on the
 * floor). Three draw calls whatever the number of zones and agents.
 */
import { useLayoutEffect, useMemo } from 'react';
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { LabelSheet } from './LabelSheet';
import type { Layout } from './layout';

const TILE_COLORS = ['#1c2a3a', '#22303f', '#1f3330', '#2b2a3d', '#33291f', '#262f24'];
const NO_ZONE_COLOR = '#202226';
const LINK_COLORS = { child: new THREE.Color('#e9ecef'), swarm: new THREE.Color('#3bc9db') };
const LINK_Y = { child: 0.9, swarm: 0.08 };

/** Flat on the floor, reading along the tile's front-right edge (world -z, up the screen). */
const FLAT = new THREE.Quaternion().setFromEuler(new THREE.Euler(-Math.PI / 2, Math.PI / 2, 0, 'YXZ'));

export function Floor({ layout }: { layout: Layout }) {
  // One plain mesh of flat quads (instances cost SwiftShader per instance).
  const tiles = useMemo(() => {
    const quads = layout.tiles.map((tile, i) => {
      const quad = new THREE.PlaneGeometry(tile.size, tile.size)
        .rotateX(-Math.PI / 2)
        .translate(tile.x, 0, tile.z);
      const c = new THREE.Color(tile.noZone ? NO_ZONE_COLOR : TILE_COLORS[i % TILE_COLORS.length]);
      quad.setAttribute(
        'color',
        new THREE.Float32BufferAttribute(
          [0, 1, 2, 3].flatMap(() => [c.r, c.g, c.b]),
          3,
        ),
      );
      quad.deleteAttribute('uv');
      quad.deleteAttribute('normal');
      return quad;
    });
    return mergeGeometries(quads) ?? new THREE.BufferGeometry();
  }, [layout]);
  useLayoutEffect(() => () => tiles.dispose(), [tiles]);

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
      <mesh geometry={tiles} raycast={() => null} renderOrder={-2}>
        <meshBasicMaterial vertexColors depthTest={false} depthWrite={false} />
      </mesh>
      <LabelSheet {...names} cellPx={64} bare />
      {layout.links.length > 0 && (
        <lineSegments geometry={lines} raycast={() => null}>
          <lineBasicMaterial vertexColors />
        </lineSegments>
      )}
    </>
  );
}
