/**
 * BATCH_ACK_MESSAGE (200151) body, BatchAckMessageRequestBody (fastjson, BatchAck's short names; the long names
 * are accepted as its alternateNames):
 *
 *   {"brokerName": "...", "acks": [{"c": consumerGroup, "t": topic, "r": retry flag ("0", "1", "2"),
 *     "so": startOffset, "q": queueId, "rq": reviveQueueId, "pt": popTime, "it": invisibleTime,
 *     "b": base64 of java.util.BitSet.toByteArray()}]}
 *
 * Bit i of the bit set (byte i / 8, bit i % 8, little-endian) acks queue offset so + i.
 */
import { BodyFormatError } from './body-format-error';

export interface BatchAckEntry {
  group: string;
  /** The topic as the client names it; the retry flag says whether the message is in the POP retry topic. */
  topic: string;
  retry: string;
  startOffset: number;
  queueId: number;
  popTime: number;
  offsets: number[];
}

/** Entries one batch ack may hold. */
const BATCH_ACK_ENTRIES_MAX = 1024;
/** Bytes of one entry's bit set (32768 offsets past its start offset). */
const BATCH_ACK_BITSET_BYTES_MAX = 4096;

function field(entry: Record<string, unknown>, short: string, long: string): unknown {
  return entry[short] ?? entry[long];
}

function integerField(entry: Record<string, unknown>, short: string, long: string): number {
  const value = field(entry, short, long);
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw new BodyFormatError(`batch ack field ${long} is not an integer`);
  return number;
}

export function decodeBatchAckBody(body: Buffer | undefined): BatchAckEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw new BodyFormatError('the batch ack body is not JSON');
  }
  const acks = (parsed as { acks?: unknown } | null)?.acks;
  if (!Array.isArray(acks)) return [];
  if (acks.length > BATCH_ACK_ENTRIES_MAX) throw new BodyFormatError(`a batch ack holds at most ${BATCH_ACK_ENTRIES_MAX} entries`);
  return acks.map((raw): BatchAckEntry => {
    if (!raw || typeof raw !== 'object') throw new BodyFormatError('a batch ack entry is not an object');
    const entry = raw as Record<string, unknown>;
    const group = field(entry, 'c', 'consumerGroup');
    const topic = field(entry, 't', 'topic');
    if (typeof group !== 'string' || typeof topic !== 'string' || !group || !topic) throw new BodyFormatError('a batch ack entry has no consumerGroup or topic');
    const retry = String(field(entry, 'r', 'retry') ?? '0');
    const startOffset = integerField(entry, 'so', 'startOffset');
    const bits = field(entry, 'b', 'bitSet');
    const bytes = typeof bits === 'string' ? Buffer.from(bits, 'base64') : Array.isArray(bits) ? Buffer.from(bits.map((b) => Number(b) & 0xff)) : Buffer.alloc(0);
    if (bytes.length > BATCH_ACK_BITSET_BYTES_MAX) throw new BodyFormatError(`a batch ack bit set holds at most ${BATCH_ACK_BITSET_BYTES_MAX} bytes`);
    const offsets: number[] = [];
    for (let i = 0; i < bytes.length * 8; i++) if (bytes[i >> 3]! & (1 << (i & 7))) offsets.push(startOffset + i);
    return { group, topic, retry, startOffset, queueId: integerField(entry, 'q', 'queueId'), popTime: integerField(entry, 'pt', 'popTime'), offsets };
  });
}
