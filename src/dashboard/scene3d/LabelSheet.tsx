/**
 * Many flat labels in one draw call: every label is drawn once into one canvas (a grid of
 * cells), and one mesh holds a quad per label showing its cell. Drawn again only when the text
 * or the places change, so a hundred labels cost the GPU one textured mesh and the CPU nothing
 * per frame. One plain mesh rather than instances: SwiftShader (software WebGL) pays for each
 * instance of an instanced draw, and these quads never move.
 * No font is fetched: the canvas draws with the system's sans-serif.
 */
import { useThree } from '@react-three/fiber';
import { useLayoutEffect, useMemo } from 'react';
import * as THREE from 'three';

export interface LabelCell {
  text: string;
  /** A second, smaller line. */
  sub?: string;
  /** The stripe on its left (#rrggbb). */
  accent?: string;
}

interface Props {
  cells: LabelCell[];
  /** Each label's placement (position, facing), one per cell. */
  matrices: THREE.Matrix4[];
  /** Size of a label in world units; its cell in the canvas keeps the same proportions. */
  width: number;
  height: number;
  /** Cell height in canvas pixels (its width follows). */
  cellPx?: number;
  /** No background box: text straight on what lies behind (floor names). */
  bare?: boolean;
}

const SHEET_WIDTH = 2048;

const vertexShader = /* glsl */ `
  varying vec2 vUv;
  void main() {
    vUv = uv;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  }`;
const fragmentShader = /* glsl */ `
  uniform sampler2D uMap;
  varying vec2 vUv;
  void main() {
    vec4 c = texture2D(uMap, vUv);
    #ifdef BARE
    if (c.a < 0.5) discard;
    #endif
    gl_FragColor = vec4(c.rgb, 1.0);
  }`;

function draw(
  ctx: CanvasRenderingContext2D,
  cell: LabelCell,
  x: number,
  y: number,
  w: number,
  h: number,
  bare: boolean,
) {
  const pad = h * 0.12;
  if (!bare) {
    ctx.fillStyle = '#161b22';
    ctx.fillRect(x, y, w, h);
    if (cell.accent) {
      ctx.fillStyle = cell.accent;
      ctx.fillRect(x + pad, y + pad, h * 0.12, h - 2 * pad);
    }
  }
  const left = x + (bare ? pad : pad * 2 + h * 0.12);
  const room = w - (left - x) - pad;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = bare ? '#ced4da' : '#f1f3f5';
  ctx.font = `600 ${Math.round(h * (cell.sub ? 0.42 : 0.6))}px sans-serif`;
  ctx.fillText(fit(ctx, cell.text, room), left, y + h * (cell.sub ? 0.34 : 0.52));
  if (cell.sub) {
    ctx.fillStyle = cell.accent ?? '#adb5bd';
    ctx.font = `${Math.round(h * 0.3)}px sans-serif`;
    ctx.fillText(fit(ctx, cell.sub, room), left, y + h * 0.74);
  }
}

/** The text, cut with an ellipsis to fit `room` pixels. */
function fit(ctx: CanvasRenderingContext2D, text: string, room: number): string {
  if (ctx.measureText(text).width <= room) return text;
  let n = text.length;
  while (n > 1 && ctx.measureText(text.slice(0, n) + '…').width > room) n--;
  return text.slice(0, n) + '…';
}

export function LabelSheet({ cells, matrices, width, height, cellPx = 48, bare = false }: Props) {
  const gl = useThree((s) => s.gl);
  const cellW = Math.round((cellPx * width) / height);
  const columns = Math.max(1, Math.floor(SHEET_WIDTH / cellW));
  // As many labels as one texture holds; past that, the rest go without (a thousand agents).
  const capacity = columns * Math.floor(gl.capabilities.maxTextureSize / cellPx);
  const count = Math.min(cells.length, matrices.length, capacity);
  const rows = Math.max(1, Math.ceil(count / columns));
  const key = JSON.stringify(cells.slice(0, count));

  const texture = useMemo(() => {
    const canvas = document.createElement('canvas');
    canvas.width = columns * cellW;
    canvas.height = rows * cellPx;
    const ctx = canvas.getContext('2d')!;
    cells.slice(0, count).forEach((cell, i) => {
      draw(ctx, cell, (i % columns) * cellW, Math.floor(i / columns) * cellPx, cellW, cellPx, bare);
    });
    const t = new THREE.CanvasTexture(canvas);
    t.colorSpace = THREE.NoColorSpace;
    // No mipmaps: a cheaper lookup under software WebGL, and text stays crisp when zoomed in.
    t.generateMipmaps = false;
    t.minFilter = THREE.LinearFilter;
    return t;
    // `key` stands for `cells`: redraw when the text changes, not when the array is new.
  }, [key, columns, cellW, cellPx, rows, bare]);
  useLayoutEffect(() => () => texture.dispose(), [texture]);

  const geometry = useMemo(() => {
    const corners = [
      [-width / 2, height / 2, 0, 1],
      [width / 2, height / 2, 1, 1],
      [-width / 2, -height / 2, 0, 0],
      [width / 2, -height / 2, 1, 0],
    ];
    const position = new Float32Array(count * 12);
    const uv = new Float32Array(count * 8);
    const index: number[] = [];
    const v = new THREE.Vector3();
    for (let i = 0; i < count; i++) {
      const [col, row] = [i % columns, Math.floor(i / columns)];
      corners.forEach(([x, y, u, w], k) => {
        v.set(x, y, 0)
          .applyMatrix4(matrices[i])
          .toArray(position, i * 12 + k * 3);
        uv.set([(col + u) / columns, 1 - (row + 1 - w) / rows], i * 8 + k * 2);
      });
      index.push(i * 4, i * 4 + 2, i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 1);
    }
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(position, 3));
    g.setAttribute('uv', new THREE.BufferAttribute(uv, 2));
    g.setIndex(index);
    return g;
  }, [width, height, count, columns, rows, matrices]);
  useLayoutEffect(() => () => geometry.dispose(), [geometry]);

  const material = useMemo(
    () =>
      new THREE.ShaderMaterial({
        // Boxed labels are opaque rectangles: no discard, which software WebGL pays for per pixel.
        defines: bare ? { BARE: '' } : {},
        vertexShader,
        fragmentShader,
        uniforms: { uMap: { value: texture } },
      }),
    [texture, bare],
  );
  useLayoutEffect(() => () => material.dispose(), [material]);

  if (!count) return null;
  return <mesh geometry={geometry} material={material} frustumCulled={false} raycast={() => null} />;
}
