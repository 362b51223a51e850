/**
 * Small message helpers the broker needs (properties string, offsetMsgId, reading the few record fields
 * the broker re-uses). Layout: protocol.md §4.1; properties §4.4; ids §4.6.
 */
import type { HostAddress, MessageToStore } from '../../store/message-store';
import { offsetMsgId } from '../../store/record';

export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';

/** Reads a properties string as RocketMQ's string2messageProperties: a piece without a name or a value is skipped. */
export function decodePropertiesString(text: string | undefined): Record<string, string> {
  const props: Record<string, string> = {};
  if (!text) return props;
  for (const piece of text.split(PROPERTY_SEPARATOR)) {
    if (piece.length < 3) continue;
    const at = piece.indexOf(NAME_VALUE_SEPARATOR);
    if (at <= 0 || at === piece.length - 1) continue;
    props[piece.slice(0, at)] = piece.slice(at + 1);
  }
  return props;
}

export function encodePropertiesString(props: Record<string, string>): string {
  let text = '';
  for (const [name, value] of Object.entries(props)) text += `${name}${NAME_VALUE_SEPARATOR}${value}${PROPERTY_SEPARATOR}`;
  return text;
}

export function parseHostAddress(address: string): HostAddress {
  const at = address.lastIndexOf(':');
  if (at < 0) return { address, port: 0 };
  let host = address.slice(0, at);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return { address: host, port: Number(address.slice(at + 1)) || 0 };
}

/** offsetMsgId of a stored record (IPv4 or IPv6 store host); the store's record codec makes it. */
export const createOffsetMsgIdText = offsetMsgId;

/** Decodes an IPv4 or IPv6 offsetMsgId; null when the text is not one. */
export function decodeOffsetMsgIdText(id: string): { host: HostAddress; commitLogOffset: number } | null {
  if (!/^[0-9A-Fa-f]+$/.test(id) || (id.length !== 32 && id.length !== 56)) return null;
  const buf = Buffer.from(id, 'hex');
  const ipBytes = buf.length === 16 ? 4 : 16;
  const ip = ipBytes === 4 ? [...buf.subarray(0, 4)].join('.') : (buf.subarray(0, 16).toString('hex').match(/.{4}/g) ?? []).join(':');
  return { host: { address: ip, port: buf.readInt32BE(ipBytes) }, commitLogOffset: Number(buf.readBigInt64BE(ipBytes + 4)) };
}

export interface StoredRecord {
  storeSize: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostAddress;
  storeTimestamp: number;
  storeHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Buffer;
  topic: string;
  properties: Record<string, string>;
  propertiesString: string;
}

const BORNHOST_V6_FLAG = 0x10;
const STOREHOST_V6_FLAG = 0x20;
const MAGIC_V2 = -626843477;

function readHost(buf: Buffer, pos: number, v6: boolean): [HostAddress, number] {
  if (v6) {
    const ip = (buf.subarray(pos, pos + 16).toString('hex').match(/.{4}/g) ?? []).join(':');
    return [{ address: ip, port: buf.readInt32BE(pos + 16) }, pos + 20];
  }
  return [{ address: [...buf.subarray(pos, pos + 4)].join('.'), port: buf.readInt32BE(pos + 4) }, pos + 8];
}

/** Reads one stored record (throws RangeError on truncated input). */
export function readStoredRecord(buf: Buffer): StoredRecord {
  let pos = 0;
  const storeSize = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(4);
  pos = 12;
  const queueId = buf.readInt32BE(pos); pos += 4;
  const flag = buf.readInt32BE(pos); pos += 4;
  const queueOffset = Number(buf.readBigInt64BE(pos)); pos += 8;
  const commitLogOffset = Number(buf.readBigInt64BE(pos)); pos += 8;
  const sysFlag = buf.readInt32BE(pos); pos += 4;
  const bornTimestamp = Number(buf.readBigInt64BE(pos)); pos += 8;
  let bornHost: HostAddress;
  [bornHost, pos] = readHost(buf, pos, (sysFlag & BORNHOST_V6_FLAG) !== 0);
  const storeTimestamp = Number(buf.readBigInt64BE(pos)); pos += 8;
  let storeHost: HostAddress;
  [storeHost, pos] = readHost(buf, pos, (sysFlag & STOREHOST_V6_FLAG) !== 0);
  const reconsumeTimes = buf.readInt32BE(pos); pos += 4;
  const preparedTransactionOffset = Number(buf.readBigInt64BE(pos)); pos += 8;
  const bodyLength = buf.readInt32BE(pos); pos += 4;
  const body = Buffer.from(buf.subarray(pos, pos + bodyLength)); pos += bodyLength;
  let topicLength: number;
  if (magic === MAGIC_V2) {
    topicLength = buf.readInt16BE(pos); pos += 2;
  } else {
    topicLength = buf.readUInt8(pos); pos += 1;
  }
  const topic = buf.toString('utf8', pos, pos + topicLength); pos += topicLength;
  const propertiesLength = buf.readInt16BE(pos); pos += 2;
  const propertiesString = buf.toString('utf8', pos, pos + propertiesLength);
  if (pos + propertiesLength > buf.length) throw new RangeError('truncated record');
  return { storeSize, queueId, flag, queueOffset, commitLogOffset, sysFlag, bornTimestamp, bornHost, storeTimestamp, storeHost, reconsumeTimes, preparedTransactionOffset, body, topic, properties: decodePropertiesString(propertiesString), propertiesString };
}

/** The properties string of a stored record, read without copying its body (MessageDecoder.decodeProperties). */
export function readRecordPropertiesString(buf: Buffer): string {
  const sysFlag = buf.readInt32BE(36);
  let pos = 48 + ((sysFlag & BORNHOST_V6_FLAG) !== 0 ? 20 : 8) + 8 + ((sysFlag & STOREHOST_V6_FLAG) !== 0 ? 20 : 8) + 12;
  pos += 4 + buf.readInt32BE(pos);
  if (buf.readInt32BE(4) === MAGIC_V2) pos += 2 + buf.readInt16BE(pos);
  else pos += 1 + buf.readUInt8(pos);
  const propertiesLength = buf.readInt16BE(pos);
  if (pos + 2 + propertiesLength > buf.length) throw new RangeError('truncated record');
  return buf.toString('utf8', pos + 2, pos + 2 + propertiesLength);
}

export interface BatchInnerMessage {
  flag: number;
  body: Buffer;
  properties: string;
}

/** Splits a SEND_BATCH_MESSAGE body (protocol.md §4.7); throws RangeError when malformed. */
export function decodeBatchBody(body: Buffer): BatchInnerMessage[] {
  const messages: BatchInnerMessage[] = [];
  let pos = 0;
  while (pos < body.length) {
    const totalSize = body.readInt32BE(pos);
    if (totalSize <= 0 || pos + totalSize > body.length) throw new RangeError(`bad batch record size ${totalSize}`);
    let p = pos + 12;
    const flag = body.readInt32BE(p); p += 4;
    const bodyLength = body.readInt32BE(p); p += 4;
    if (bodyLength < 0 || p + bodyLength > pos + totalSize) throw new RangeError('bad batch body length');
    const inner = Buffer.from(body.subarray(p, p + bodyLength)); p += bodyLength;
    const propertiesLength = body.readInt16BE(p); p += 2;
    if (propertiesLength < 0 || p + propertiesLength > pos + totalSize) throw new RangeError('bad batch properties length');
    const properties = body.toString('utf8', p, p + propertiesLength);
    messages.push({ flag, body: inner, properties });
    pos += totalSize;
  }
  return messages;
}

/**
 * A stored message put again under another topic and queue with these properties (delay-level and timer
 * deliveries, POP retry and dead-letter copies): body, flag, timestamps, hosts and reconsumeTimes are kept unless
 * overridden; the host v6 bits are left to the store, the transaction bits cleared by those who must.
 */
export function messageFromRecord(record: StoredRecord, topic: string, queueId: number, props: Record<string, string>, overrides: Partial<MessageToStore> = {}): MessageToStore {
  return {
    topic,
    queueId,
    flag: record.flag,
    sysFlag: record.sysFlag & ~0x30,
    body: record.body,
    propertiesString: encodePropertiesString(props),
    bornTimestamp: record.bornTimestamp,
    bornHost: record.bornHost,
    storeHost: record.storeHost,
    reconsumeTimes: record.reconsumeTimes,
    preparedTransactionOffset: 0,
    ...overrides,
  };
}
