/**
 * The stored message record (protocol.md §4.1): the exact bytes a pull returns. Encoding assigns nothing;
 * the commit log passes the queue offset, physical offset and store timestamp in.
 *
 * Header layout for an IPv4 born host and store host (offsets in bytes):
 *   0 totalSize · 4 magic · 8 bodyCrc · 12 queueId · 16 flag · 20 queueOffset · 28 physicalOffset ·
 *   36 sysFlag · 40 bornTimestamp · 48 bornHost(8 or 20) · storeTimestamp · storeHost(8 or 20) ·
 *   reconsumeTimes · preparedTransactionOffset · bodyLength + body · topicLength(1 or 2) + topic ·
 *   propertiesLength(2) + properties
 */
import net from 'node:net';
import zlib from 'node:zlib';
import type { HostAddress, MessageToStore } from './message-store';

export const MAGIC_V1 = -626843481;
export const MAGIC_V2 = -626843477;
/** Pads the tail of a commit-log segment; a blank record needs at least 8 bytes (size + magic). */
export const BLANK_MAGIC = -875286124;
export const BLANK_RECORD_BYTES_MIN = 8;
/** The shortest record: IPv4 hosts, empty body, a 1-byte topic, no properties (91 bytes of fields + 1). */
export const RECORD_BYTES_MIN = 92;

export const SYSFLAG_BORNHOST_V6 = 0x10;
export const SYSFLAG_STOREHOST_V6 = 0x20;
export const SYSFLAG_TRANSACTION_MASK = 0xc;
export const SYSFLAG_TRANSACTION_PREPARED = 0x4;
export const SYSFLAG_TRANSACTION_ROLLBACK = 0xc;

const OFFSET_QUEUE_OFFSET = 20;
const OFFSET_PHYSICAL_OFFSET = 28;
const OFFSET_SYSFLAG = 36;
const OFFSET_BORN_HOST = 48;

/** java.util.zip.CRC32 & 0x7FFFFFFF, as RocketMQ's UtilAll.crc32 (protocol.md §4.3). */
export function bodyCrc(body: Buffer): number {
  return zlib.crc32(body) & 0x7fffffff;
}

/** Java's String.hashCode over UTF-16 code units (int32 wrap-around). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

const HOST_BYTES_CACHE_MAX = 4096;
const hostBytesCache = new Map<string, Buffer>();

/** 4 or 16 address bytes of a host (memoised: a broker sees few distinct hosts); callers must not mutate the result. */
export function hostAddressBytes(address: string): Buffer {
  let bytes = hostBytesCache.get(address);
  if (bytes) return bytes;
  bytes = parseHostAddressBytes(address);
  if (hostBytesCache.size >= HOST_BYTES_CACHE_MAX) hostBytesCache.clear();
  hostBytesCache.set(address, bytes);
  return bytes;
}

/** Unparseable text encodes as 0.0.0.0 rather than failing a send. */
function parseHostAddressBytes(address: string): Buffer {
  const mapped = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (net.isIPv4(mapped)) return Buffer.from(mapped.split('.').map(Number));
  if (!net.isIPv6(mapped)) return Buffer.alloc(4);
  const out = Buffer.alloc(16);
  let text = mapped;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (net.isIPv4(text.slice(lastColon + 1))) {
    tailV4 = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  if (tailV4.length === 4) Buffer.from(tailV4).copy(out, 12);
  return out;
}

export function isIPv6Host(host: HostAddress): boolean {
  return hostAddressBytes(host.address).length === 16;
}

const TWO_32 = 4294967296;

/** Writes a safe integer (possibly negative) as a big-endian int64 without BigInt. */
export function writeInt64(buf: Buffer, value: number, pos: number): void {
  if (!Number.isSafeInteger(value)) {
    // Past 2^53 a number is not exact (a header's 9223372036854775807 arrives as 2^63): clamp to the int64 range.
    const big = BigInt(Math.trunc(Number.isFinite(value) ? value : 0));
    buf.writeBigInt64BE(big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big, pos);
    return;
  }
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Reads a big-endian int64 as a number (exact below 2^53). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

/** Byte length of the record a message encodes to. */
export function recordLength(message: MessageToStore, topicBytes: number, propertiesBytes: number): number {
  const bornHostBytes = isIPv6Host(message.bornHost) ? 20 : 8;
  const storeHostBytes = isIPv6Host(message.storeHost) ? 20 : 8;
  const topicLengthBytes = topicBytes > 127 ? 2 : 1;
  return 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + bornHostBytes + 8 + storeHostBytes + 4 + 8 + 4 + message.body.length + topicLengthBytes + topicBytes + 2 + propertiesBytes;
}

/** A message prepared for appending: sizes known, bytes encoded once the offsets are assigned. */
export interface PreparedRecord {
  message: MessageToStore;
  topic: Buffer;
  properties: Buffer;
  length: number;
  sysFlag: number;
  crc: number;
}

const topicBytesCache = new Map<string, Buffer>();

function topicBytes(topic: string): Buffer {
  let bytes = topicBytesCache.get(topic);
  if (!bytes) {
    bytes = Buffer.from(topic, 'utf8');
    if (topicBytesCache.size >= 10_000) topicBytesCache.clear();
    topicBytesCache.set(topic, bytes);
  }
  return bytes;
}

export function prepareRecord(message: MessageToStore): PreparedRecord {
  const topic = topicBytes(message.topic);
  const properties = Buffer.from(message.propertiesString, 'utf8');
  let sysFlag = message.sysFlag & ~(SYSFLAG_BORNHOST_V6 | SYSFLAG_STOREHOST_V6);
  if (isIPv6Host(message.bornHost)) sysFlag |= SYSFLAG_BORNHOST_V6;
  if (isIPv6Host(message.storeHost)) sysFlag |= SYSFLAG_STOREHOST_V6;
  return { message, topic, properties, length: recordLength(message, topic.length, properties.length), sysFlag, crc: bodyCrc(message.body) };
}

function writeHost(buf: Buffer, pos: number, host: HostAddress): number {
  const bytes = hostAddressBytes(host.address);
  bytes.copy(buf, pos);
  buf.writeInt32BE(host.port, pos + bytes.length);
  return pos + bytes.length + 4;
}

/** Writes a prepared record into `buf` at `pos`; returns the position after it. */
export function writeRecord(buf: Buffer, pos: number, r: PreparedRecord, queueOffset: number, physicalOffset: number, storeTimestamp: number): number {
  const m = r.message;
  const start = pos;
  buf.writeInt32BE(r.length, pos); pos += 4;
  buf.writeInt32BE(r.topic.length > 127 ? MAGIC_V2 : MAGIC_V1, pos); pos += 4;
  buf.writeInt32BE(r.crc, pos); pos += 4;
  buf.writeInt32BE(m.queueId, pos); pos += 4;
  buf.writeInt32BE(m.flag, pos); pos += 4;
  writeInt64(buf, queueOffset, pos); pos += 8;
  writeInt64(buf, physicalOffset, pos); pos += 8;
  buf.writeInt32BE(r.sysFlag, pos); pos += 4;
  writeInt64(buf, m.bornTimestamp, pos); pos += 8;
  pos = writeHost(buf, pos, m.bornHost);
  writeInt64(buf, storeTimestamp, pos); pos += 8;
  pos = writeHost(buf, pos, m.storeHost);
  buf.writeInt32BE(m.reconsumeTimes, pos); pos += 4;
  writeInt64(buf, m.preparedTransactionOffset, pos); pos += 8;
  buf.writeInt32BE(m.body.length, pos); pos += 4;
  m.body.copy(buf, pos); pos += m.body.length;
  if (r.topic.length > 127) {
    buf.writeInt16BE(r.topic.length, pos); pos += 2;
  } else {
    buf.writeUInt8(r.topic.length, pos); pos += 1;
  }
  r.topic.copy(buf, pos); pos += r.topic.length;
  buf.writeInt16BE(r.properties.length, pos); pos += 2;
  r.properties.copy(buf, pos); pos += r.properties.length;
  if (pos - start !== r.length) throw new RangeError(`record length mismatch: wrote ${pos - start}, expected ${r.length}`);
  return pos;
}

/** The fields the store needs from a record to dispatch it (consume queue + index) and to verify it. */
export interface RecordMeta {
  totalSize: number;
  queueId: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  storeTimestamp: number;
  preparedTransactionOffset: number;
  topic: string;
  propertiesString: string;
  bodyOffset: number;
  bodyLength: number;
  crc: number;
}

export type RecordCheck =
  | { kind: 'record'; meta: RecordMeta }
  | { kind: 'blank'; totalSize: number }
  | { kind: 'end' }
  | { kind: 'corrupt'; reason: string };

/**
 * Reads and verifies the record at `pos` of `buf` (a window of a segment). `end` means zero bytes (never written);
 * `corrupt` means a torn or damaged record. With verifyCrc the body CRC is recomputed (recovery does this).
 */
export function checkRecord(buf: Buffer, pos: number, limit: number, verifyCrc: boolean): RecordCheck {
  if (pos + 8 > limit) return pos === limit ? { kind: 'end' } : { kind: 'corrupt', reason: 'fewer than 8 bytes left' };
  const totalSize = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + 4);
  if (totalSize === 0 && magic === 0) return { kind: 'end' };
  if (magic === BLANK_MAGIC) {
    if (totalSize < BLANK_RECORD_BYTES_MIN || pos + totalSize > limit) return { kind: 'corrupt', reason: `bad blank size ${totalSize}` };
    return { kind: 'blank', totalSize };
  }
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) return { kind: 'corrupt', reason: `bad magic ${magic}` };
  if (totalSize < RECORD_BYTES_MIN || pos + totalSize > limit) return { kind: 'corrupt', reason: `bad size ${totalSize}` };
  try {
    const sysFlag = buf.readInt32BE(pos + OFFSET_SYSFLAG);
    let p = pos + OFFSET_BORN_HOST + ((sysFlag & SYSFLAG_BORNHOST_V6) !== 0 ? 20 : 8);
    const storeTimestamp = readInt64(buf, p); p += 8;
    p += (sysFlag & SYSFLAG_STOREHOST_V6) !== 0 ? 20 : 8;
    p += 4; // reconsume times
    const preparedTransactionOffset = readInt64(buf, p); p += 8;
    const bodyLength = buf.readInt32BE(p); p += 4;
    const bodyOffset = p;
    if (bodyLength < 0 || p + bodyLength > pos + totalSize) return { kind: 'corrupt', reason: 'bad body length' };
    p += bodyLength;
    let topicLength: number;
    if (magic === MAGIC_V2) {
      topicLength = buf.readUInt16BE(p); p += 2;
    } else {
      topicLength = buf.readUInt8(p); p += 1;
    }
    const topic = buf.toString('utf8', p, p + topicLength); p += topicLength;
    const propertiesLength = buf.readUInt16BE(p); p += 2;
    if (p + propertiesLength !== pos + totalSize) return { kind: 'corrupt', reason: 'field lengths do not add up to the record size' };
    const propertiesString = buf.toString('utf8', p, p + propertiesLength);
    const crc = buf.readInt32BE(pos + 8);
    if (verifyCrc && bodyCrc(buf.subarray(bodyOffset, bodyOffset + bodyLength)) !== crc) return { kind: 'corrupt', reason: 'body CRC mismatch' };
    return {
      kind: 'record',
      meta: {
        totalSize,
        queueId: buf.readInt32BE(pos + 12),
        queueOffset: readInt64(buf, pos + OFFSET_QUEUE_OFFSET),
        physicalOffset: readInt64(buf, pos + OFFSET_PHYSICAL_OFFSET),
        sysFlag,
        storeTimestamp,
        preparedTransactionOffset,
        topic,
        propertiesString,
        bodyOffset: bodyOffset - pos,
        bodyLength,
        crc,
      },
    };
  } catch (err) {
    return { kind: 'corrupt', reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Store timestamp of a whole record buffer. */
export function recordStoreTimestamp(record: Buffer): number {
  const sysFlag = record.readInt32BE(OFFSET_SYSFLAG);
  return readInt64(record, OFFSET_BORN_HOST + ((sysFlag & SYSFLAG_BORNHOST_V6) !== 0 ? 20 : 8));
}

/** offsetMsgId text (protocol.md §4.6): store host bytes + port + commit-log offset, upper-case hex. */
const msgIdPrefixCache = new Map<string, string>();

export function offsetMsgId(storeHost: HostAddress, commitLogOffset: number): string {
  const key = `${storeHost.address}:${storeHost.port}`;
  let prefix = msgIdPrefixCache.get(key);
  if (prefix === undefined) {
    const ip = hostAddressBytes(storeHost.address);
    const buf = Buffer.alloc(ip.length + 4);
    ip.copy(buf, 0);
    buf.writeInt32BE(storeHost.port, ip.length);
    prefix = buf.toString('hex').toUpperCase();
    if (msgIdPrefixCache.size >= HOST_BYTES_CACHE_MAX) msgIdPrefixCache.clear();
    msgIdPrefixCache.set(key, prefix);
  }
  return prefix + commitLogOffset.toString(16).toUpperCase().padStart(16, '0');
}
