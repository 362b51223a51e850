/** Bounded fan-out and short-lived caches for the console's admin calls. */

/** fn over items with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/**
 * A value computed at most once per `ttlMs` per key; concurrent callers share the computation in flight,
 * and a failed computation is not kept.
 */
export class TtlCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  constructor(readonly ttlMs: number, readonly maxEntries = 64) {}

  get(key: string, compute: () => Promise<T>, options: { fresh?: boolean } = {}): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && !options.fresh && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = compute();
    this.#entries.set(key, { at: Date.now(), value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }

  invalidate(prefix = ''): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
