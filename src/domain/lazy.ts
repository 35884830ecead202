import { z } from 'zod';

/**
 * A value built on first use. The workflow sandbox evaluates every module a workflow
 * imports once per workflow (it isolates them), so a zod schema built at module load is
 * built again at every agent's start, used or not: about 20 ms each, the bottleneck of a
 * thousand-agent swarm. Schemas are therefore built lazily, where they are used. Pure.
 */
const TARGET = Symbol('lazy target');

/** The value behind a lazy one (built now), for APIs that hold on to identity (zod's JSON schemas). */
export function unlazy<T>(value: T): T {
  return ((value as { [TARGET]?: T })[TARGET] ?? value) as T;
}

export function lazy<T extends object>(build: () => T): T {
  let built: T | undefined;
  const target = (): T => {
    if (built) return built;
    built = build();
    // A schema's description lives in zod's registry, by identity: the proxy is the schema
    // other schemas hold, so it gets the same entry (JSON schemas for the model and the API).
    const meta = z.globalRegistry.get(built as never);
    if (meta) z.globalRegistry.add(proxy as never, meta);
    return built;
  };
  const proxy: T = new Proxy({} as T, {
    get: (_, key) => (key === TARGET ? target() : Reflect.get(target(), key)),
    has: (_, key) => Reflect.has(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, value),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      // The proxy's own (empty) target has no such property: report it as configurable, as the invariants require.
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
  return proxy;
}
