/**
 * Committed consumer offsets per `topic@group` and queueId, persisted atomically to
 * <store>/config/consumerOffset.json in fastjson's shape (`{"offsetTable":{"T@g":{0:12}}}`).
 */
import path from 'node:path';
import { stringifyJavaJson } from '../../protocol/fastjson';
import { readJsonFile, writeFileAtomic } from '../config/json-file';
import { integerOf, objectOf } from '../../protocol/json-shape';
import { silentLogger, type Logger } from '../../util/logger';
import { newDataVersion, nextDataVersion, type DataVersion } from '../topics/topic-config-manager';

const TOPIC_GROUP_SEPARATOR = '@';

export class ConsumerOffsetManager {
  /** key `topic@group` → queueId → consumerOffset */
  readonly offsetTable = new Map<string, Map<number, number>>();
  readonly dataVersion: DataVersion = newDataVersion();
  readonly #filePath: string;
  #dirty = false;

  constructor(storePathRootDir: string) {
    this.#filePath = path.join(storePathRootDir, 'config', 'consumerOffset.json');
  }

  load(logger: Logger = silentLogger): void {
    const raw = objectOf(readJsonFile(this.#filePath, logger));
    let skipped = 0;
    for (const [key, queues] of Object.entries(objectOf(raw?.offsetTable) ?? {})) {
      const map = new Map<number, number>();
      for (const [queueIdText, value] of Object.entries(objectOf(queues) ?? {})) {
        const queueId = integerOf(queueIdText, 0, 2 ** 31 - 1);
        const consumerOffset = integerOf(value, -1);
        if (queueId === undefined || consumerOffset === undefined) skipped++;
        else map.set(queueId, consumerOffset);
      }
      if (!key.includes(TOPIC_GROUP_SEPARATOR) || objectOf(queues) === undefined) skipped++;
      else this.offsetTable.set(key, map);
    }
    if (skipped > 0) logger.error('consumerOffset.json entries that are not offsets were skipped', { file: this.#filePath, count: skipped });
  }

  persist(): void {
    const table = new Map<string, Map<string, number>>();
    for (const [key, queues] of this.offsetTable) {
      table.set(key, new Map([...queues].sort(([a], [b]) => a - b).map(([q, o]) => [String(q), o])));
    }
    nextDataVersion(this.dataVersion);
    writeFileAtomic(this.#filePath, stringifyJavaJson(new Map<string, unknown>([['offsetTable', table], ['dataVersion', { ...this.dataVersion }]]), { numericKeysUnquoted: true }));
    this.#dirty = false;
  }

  /** Persists only when something changed since the last write. */
  flushIfDirty(): void {
    if (this.#dirty) this.persist();
  }

  commitOffset(clientHost: string, group: string, topic: string, queueId: number, consumerOffset: number): void {
    void clientHost;
    const key = `${topic}${TOPIC_GROUP_SEPARATOR}${group}`;
    let queues = this.offsetTable.get(key);
    if (!queues) {
      queues = new Map();
      this.offsetTable.set(key, queues);
    }
    queues.set(queueId, consumerOffset);
    this.#dirty = true;
  }

  /** -1 when nothing is committed. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(`${topic}${TOPIC_GROUP_SEPARATOR}${group}`)?.get(queueId) ?? -1;
  }

  queryOffsets(group: string, topic: string): Map<number, number> {
    return new Map(this.offsetTable.get(`${topic}${TOPIC_GROUP_SEPARATOR}${group}`) ?? []);
  }

  /** Topics a group has committed offsets for. */
  whichTopicByConsumer(group: string): Set<string> {
    const topics = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(at + 1) === group) topics.add(key.slice(0, at));
    }
    return topics;
  }

  /** Every group's topics with committed offsets, in one pass over the table (whichTopicByConsumer per group is O(groups × keys)). */
  topicsByGroup(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const key of this.offsetTable.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      const group = key.slice(at + 1);
      let topics = out.get(group);
      if (!topics) out.set(group, (topics = new Set()));
      topics.add(key.slice(0, at));
    }
    return out;
  }

  /** Groups with committed offsets on a topic. */
  whichGroupByTopic(topic: string): Set<string> {
    const groups = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(0, at) === topic) groups.add(key.slice(at + 1));
    }
    return groups;
  }

  removeTopic(topic: string): void {
    for (const key of [...this.offsetTable.keys()]) if (key.slice(0, key.lastIndexOf(TOPIC_GROUP_SEPARATOR)) === topic) this.offsetTable.delete(key);
    this.#dirty = true;
  }

  removeGroup(group: string): void {
    for (const key of [...this.offsetTable.keys()]) if (key.slice(key.lastIndexOf(TOPIC_GROUP_SEPARATOR) + 1) === group) this.offsetTable.delete(key);
    this.#dirty = true;
  }
}
