/**
 * A map bounded by the total size of what it holds (a size the caller gives each entry):
 * past the bound, the least recently used entries go first, never the one just set.
 */
export class SizedLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(private readonly maxSize: number) {}

  /** The value, now the most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, size: number): void {
    this.delete(key);
    this.entries.set(key, { value, size });
    this.total += size;
    for (const old of this.entries.keys()) {
      if (this.total <= this.maxSize) break;
      if (old !== key) this.delete(old);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.total -= entry.size;
    this.entries.delete(key);
  }

  /** Entries held. */
  get count(): number {
    return this.entries.size;
  }

  /** Their sizes, summed. */
  get size(): number {
    return this.total;
  }
}
