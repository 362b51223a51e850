/**
 * The client side of message trace: producers and consumers created with `enableMsgTrace` hand their Pub /
 * SubBefore / SubAfter records here; every 500 ms (or at 100 records) they are packed into messages of at
 * most 128 KiB for RMQ_SYS_TRACE_TOPIC, keyed by the traced msgIds and keys, and sent by an inner producer
 * (group _INNER_TRACE_PRODUCER-<group>, as the Java client names it). Tracing never fails the traced send or
 * consume: a trace that cannot be sent is dropped with a warning, and the queue is bounded.
 */
import { errorMessage } from '../util/errors';
import type { ClientOptions } from './client-instance';
import { Producer } from './producer';
import { encodeTraceRecord, TRACE_TOPIC, type TraceRecord } from './trace';

const FLUSH_MS = 500;
const FLUSH_RECORDS = 100;
const QUEUE_MAX = 10_000;
const BODY_MAX = 128 * 1024;
/** Keys stay well inside the 32 KiB properties limit; whole keys only. */
const KEYS_CHARS_MAX = 16_000;

function keysWithin(keys: string[], max: number): string {
  let out = '';
  for (const k of keys) {
    if (out.length + k.length + 1 > max) break;
    out = out ? `${out} ${k}` : k;
  }
  return out;
}

export class TraceDispatcher {
  readonly #producer: Producer;
  readonly #queue: TraceRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #started: Promise<void> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(options: ClientOptions, group: string, readonly traceTopic = TRACE_TOPIC) {
    // Only the connection settings carry over: the inner producer itself is neither traced nor transactional.
    const { namesrvAddr, clientIP, instanceName, logger, requestTimeoutMs, credentials } = options;
    this.#producer = new Producer({ namesrvAddr, clientIP, logger, requestTimeoutMs, credentials, instanceName: `${instanceName ?? 'DEFAULT'}-trace`, groupName: `_INNER_TRACE_PRODUCER-${group}`, sendMsgTimeoutMs: 5_000 });
  }

  start(): void {
    this.#started ??= this.#producer.start();
    this.#timer ??= setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  add(records: TraceRecord[]): void {
    for (const r of records) {
      if (this.#queue.length >= QUEUE_MAX) {
        this.dropped++;
        continue;
      }
      this.#queue.push(r);
    }
    if (this.#queue.length >= FLUSH_RECORDS) void this.flush();
  }

  /** Sends what is queued (one flush at a time). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushNow());
    return this.#flushing;
  }

  async #flushNow(): Promise<void> {
    if (this.#queue.length === 0) return;
    await this.#started;
    const records = this.#queue.splice(0);
    let body = '';
    let keys = new Set<string>();
    const batches: { body: string; keys: string[] }[] = [];
    for (const r of records) {
      const text = encodeTraceRecord(r);
      if (body && Buffer.byteLength(body) + Buffer.byteLength(text) > BODY_MAX) {
        batches.push({ body, keys: [...keys] });
        body = '';
        keys = new Set();
      }
      body += text;
      keys.add(r.msgId);
      for (const k of (r.keys ?? '').split(' ')) if (k && k !== 'null') keys.add(k);
    }
    if (body) batches.push({ body, keys: [...keys] });
    for (const batch of batches) {
      try {
        await this.#producer.send({ topic: this.traceTopic, body: batch.body, keys: keysWithin(batch.keys, KEYS_CHARS_MAX) });
      } catch (err) {
        this.dropped += batch.keys.length;
        this.#producer.instance.logger.warn('trace records dropped: sending them failed', { error: errorMessage(err) });
      }
    }
  }

  async shutdown(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush().catch(() => undefined);
    await this.#producer.shutdown();
  }
}
