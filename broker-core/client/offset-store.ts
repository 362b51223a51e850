/**
 * Consumer offsets: kept in memory while consuming, persisted every 5 s and on shutdown.
 * Clustering: on the broker (UPDATE_CONSUMER_OFFSET / QUERY_CONSUMER_OFFSET). Broadcasting: in a local
 * JSON file per client and group (RocketMQ keeps them under ~/.rocketmq_offsets the same way).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { errorMessage } from '../util/errors';
import { queueKey, type ClientInstance, type MessageQueue } from './client-instance';

export interface OffsetStore {
  load(): void;
  /** increaseOnly: never move an offset backwards (consumption finishing out of order). */
  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The offset in memory, or −1. */
  readMemory(mq: MessageQueue): number;
  /** The persisted offset (memory is refreshed from it), or −1 when there is none. Throws when unreachable. */
  readStore(mq: MessageQueue): Promise<number>;
  persistAll(queues: MessageQueue[]): Promise<void>;
  persist(mq: MessageQueue): Promise<void>;
  remove(mq: MessageQueue): void;
  /** Every offset held in memory. */
  entries(): { mq: MessageQueue; offset: number }[];
}

abstract class MemoryOffsets {
  protected readonly table = new Map<string, { mq: MessageQueue; offset: number }>();

  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = queueKey(mq);
    const entry = this.table.get(key);
    if (!entry) this.table.set(key, { mq, offset });
    else if (!increaseOnly || offset > entry.offset) entry.offset = offset;
  }

  readMemory(mq: MessageQueue): number {
    return this.table.get(queueKey(mq))?.offset ?? -1;
  }

  remove(mq: MessageQueue): void {
    this.table.delete(queueKey(mq));
  }

  entries(): { mq: MessageQueue; offset: number }[] {
    return [...this.table.values()].map((e) => ({ mq: e.mq, offset: e.offset }));
  }
}

export class RemoteBrokerOffsetStore extends MemoryOffsets implements OffsetStore {
  constructor(private readonly instance: ClientInstance, private readonly group: string) {
    super();
  }

  load(): void {}

  async readStore(mq: MessageQueue): Promise<number> {
    const addr = await this.#address(mq);
    const response = await this.instance.invoke(addr, this.instance.request(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId }), undefined, [ResponseCode.SUCCESS, ResponseCode.QUERY_NOT_FOUND]);
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return -1;
    const offset = Number(response.extFields?.offset ?? -1);
    if (offset >= 0) this.update(mq, offset, false);
    return offset;
  }

  async persist(mq: MessageQueue): Promise<void> {
    const offset = this.readMemory(mq);
    if (offset < 0) return;
    const addr = await this.#address(mq);
    await this.instance.invoke(addr, this.instance.request(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId, commitOffset: offset }));
  }

  async persistAll(queues: MessageQueue[]): Promise<void> {
    await Promise.all(queues.map((mq) => this.persist(mq).catch((err: unknown) => {
      this.instance.logger.debug('offset persist failed', { queue: queueKey(mq), error: errorMessage(err) });
    })));
  }

  async #address(mq: MessageQueue): Promise<string> {
    // The master, else a slave while the master is down (RocketMQ's findBrokerAddressInAdmin).
    let addr = this.instance.anyAddress(mq.brokerName);
    if (!addr) {
      await this.instance.updateRoute(mq.topic);
      addr = this.instance.anyAddress(mq.brokerName);
    }
    if (!addr) throw new Error(`broker ${mq.brokerName} not found`);
    return addr;
  }
}

export class LocalFileOffsetStore extends MemoryOffsets implements OffsetStore {
  readonly filePath: string;

  constructor(dir: string, clientKey: string, group: string) {
    super();
    this.filePath = path.join(dir, clientKey.replace(/[^A-Za-z0-9@._#-]/g, '_'), group, 'offsets.json');
  }

  load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch {
      return; // first run
    }
    try {
      const parsed = JSON.parse(text) as { offsets?: { topic: string; brokerName: string; queueId: number; offset: number }[] };
      for (const e of parsed.offsets ?? []) this.update({ topic: e.topic, brokerName: e.brokerName, queueId: e.queueId }, e.offset, false);
    } catch (err) {
      throw new Error(`the local offset file ${this.filePath} is not valid JSON (${errorMessage(err)}); move it away to start from the consume-from-where position`);
    }
  }

  async readStore(mq: MessageQueue): Promise<number> {
    return this.readMemory(mq);
  }

  async persist(): Promise<void> {
    this.#write();
  }

  async persistAll(): Promise<void> {
    this.#write();
  }

  #write(): void {
    const offsets = this.entries().map((e) => ({ ...e.mq, offset: e.offset }));
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
    const tmp = `${this.filePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ offsets }, null, 1));
    fs.renameSync(tmp, this.filePath);
  }
}
