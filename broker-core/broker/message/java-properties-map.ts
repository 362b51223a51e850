/**
 * A message's properties as the Java broker holds them: a java.util.HashMap<String, String>. RocketMQ writes the
 * properties string (MessageDecoder.messageProperties2String) by iterating that map, so the stored layout is
 * the HashMap's iteration order, not the order properties were added, and the string has no trailing separator.
 * A broker that wants the Java broker's exact bytes (same record sizes, same properties string for every re-put
 * path) replays the same puts and removes on a map that orders itself the same way:
 *
 *   - the table starts at 16 buckets on the first put and doubles when the size passes 3/4 of it, or when a
 *     bucket already holding 8 entries gets another while the table is under 64 buckets; it never shrinks;
 *   - a key lives in bucket (h ^ (h >>> 16)) & (buckets - 1), h = String.hashCode;
 *   - iteration walks the buckets in order, each bucket's entries in the order they were added (replacing a
 *     value keeps the place, removing and adding again moves it last).
 *
 * Not modelled: tree bins (a bucket of more than 8 keys in a table of 64+, i.e. maps of 48+ properties).
 */
import { javaStringHashCode } from '../../store/record';
import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from './message-util';

const DEFAULT_CAPACITY = 16;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

function spread(key: string): number {
  const h = javaStringHashCode(key);
  return (h ^ (h >>> 16)) | 0;
}

export class JavaPropertiesMap {
  /** Buckets of the table (0 until the first put). */
  #capacity = 0;
  /** Insertion order of the current keys (a JS Map keeps it; delete + set moves a key last). */
  readonly #entries = new Map<string, string>();

  /** RocketMQ's string2messageProperties: a new HashMap, one put per piece that has a name and a value. */
  static parse(text: string | undefined): JavaPropertiesMap {
    const map = new JavaPropertiesMap();
    if (!text) return map;
    let index = 0;
    while (index < text.length) {
      let end = text.indexOf(PROPERTY_SEPARATOR, index);
      if (end < 0) end = text.length;
      if (end - index >= 3) {
        const at = text.indexOf(NAME_VALUE_SEPARATOR, index);
        if (at > index && at < end - 1) map.put(text.slice(index, at), text.slice(at + 1, end));
      }
      index = end + 1;
    }
    return map;
  }

  /** A map filled from plain entries in this order (as a sequence of puts on a new HashMap). */
  static of(entries: Iterable<readonly [string, string]>): JavaPropertiesMap {
    const map = new JavaPropertiesMap();
    for (const [key, value] of entries) map.put(key, value);
    return map;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Buckets in the table (for tests). */
  get capacity(): number {
    return this.#capacity;
  }

  get(key: string): string | undefined {
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  put(key: string, value: string): this {
    if (this.#capacity === 0) this.#capacity = DEFAULT_CAPACITY;
    if (this.#entries.has(key)) {
      this.#entries.set(key, value);
      return this;
    }
    if (this.#capacity < MIN_TREEIFY_CAPACITY && this.#bucketSize(key) >= TREEIFY_THRESHOLD) this.#capacity *= 2;
    this.#entries.set(key, value);
    if (this.#entries.size > (this.#capacity * 3) / 4) this.#capacity *= 2;
    return this;
  }

  remove(key: string): this {
    this.#entries.delete(key);
    return this;
  }

  #bucketSize(key: string): number {
    const mask = this.#capacity - 1;
    const bucket = spread(key) & mask;
    let count = 0;
    for (const other of this.#entries.keys()) if ((spread(other) & mask) === bucket) count++;
    return count;
  }

  /** The entries in HashMap iteration order. */
  entries(): [string, string][] {
    const mask = this.#capacity - 1;
    return [...this.#entries]
      .map((entry, order) => ({ entry, bucket: spread(entry[0]) & mask, order }))
      .sort((a, b) => a.bucket - b.bucket || a.order - b.order)
      .map(({ entry }) => entry);
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }

  /** RocketMQ's messageProperties2String: `name\u0001value` joined by \u0002, in iteration order, no trailing separator. */
  toPropertiesString(): string {
    return this.entries().map(([key, value]) => `${key}${NAME_VALUE_SEPARATOR}${value}`).join(PROPERTY_SEPARATOR);
  }
}
