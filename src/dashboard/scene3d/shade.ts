/**
 * Light baked into vertex colors: each face gets the brightness a fixed sun would give it,
 * once, and the scene draws with unlit materials. Under software WebGL every lit pixel costs
 * the CPU; this keeps the look of a lit low-poly scene at the price of a flat color.
 */
import * as THREE from 'three';

const SUN = new THREE.Vector3(0.45, 1, 0.75).normalize();

/** `geometry` with a `color` attribute: `tone` times the light its face catches from the sun. */
export function bakeLight(geometry: THREE.BufferGeometry, tone = 1, ambient = 0.55): THREE.BufferGeometry {
  const g = geometry.index ? geometry.toNonIndexed() : geometry;
  g.computeVertexNormals();
  const normals = g.getAttribute('normal');
  const colors = new Float32Array(normals.count * 3);
  const n = new THREE.Vector3();
  for (let i = 0; i < normals.count; i++) {
    n.fromBufferAttribute(normals, i);
    const light = tone * (ambient + (1 - ambient) * Math.max(0, n.dot(SUN)));
    colors.set([light, light, light], i * 3);
  }
  g.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  return g;
}
