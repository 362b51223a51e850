/**
 * The NameServer's namespaced key/value table (PUT/GET/DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE).
 * RocketMQ keeps ORDER_TOPIC_CONFIG here (the orderTopicConf of routes). Persisted as RocketMQ's
 * kvConfig.json ({"configTable":{ns:{k:v}}}) when a path is given; written atomically.
 */
import { readJsonFile, writeFileAtomic } from '../broker/config/json-file';
import { objectOf } from '../protocol/json-shape';
import { silentLogger, type Logger } from '../util/logger';

export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

export class KvConfigManager {
  readonly #table = new Map<string, Map<string, string>>();
  readonly #path: string | null;

  constructor(path: string | null) {
    this.#path = path;
  }

  load(logger: Logger = silentLogger): void {
    if (!this.#path) return;
    const data = objectOf(readJsonFile(this.#path, logger));
    for (const [namespace, entries] of Object.entries(objectOf(data?.configTable) ?? {})) {
      const map = new Map<string, string>();
      for (const [key, value] of Object.entries(objectOf(entries) ?? {})) if (value !== null && typeof value !== 'object') map.set(key, String(value));
      this.#table.set(namespace, map);
    }
  }

  put(namespace: string, key: string, value: string): void {
    let map = this.#table.get(namespace);
    if (!map) this.#table.set(namespace, (map = new Map()));
    map.set(key, value);
    this.#persist();
  }

  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  delete(namespace: string, key: string): void {
    const map = this.#table.get(namespace);
    if (!map?.delete(key)) return;
    if (map.size === 0) this.#table.delete(namespace);
    this.#persist();
  }

  list(namespace: string): Record<string, string> | null {
    const map = this.#table.get(namespace);
    return map && map.size > 0 ? Object.fromEntries(map) : null;
  }

  #persist(): void {
    if (!this.#path) return;
    const configTable: Record<string, Record<string, string>> = {};
    for (const [namespace, map] of this.#table) configTable[namespace] = Object.fromEntries(map);
    writeFileAtomic(this.#path, JSON.stringify({ configTable }, null, 2));
  }
}
