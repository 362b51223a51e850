/**
 * Messages for the Message and DLQ pages: a topic + time range paged on the server, one message with every
 * stored field and a safe rendering of its body, and per-group delivery status (message track).
 */
import type { AdminClient } from '@broker/client/admin-client';
import type { MessageExt } from '@broker/client/message';
import { prettyJson } from '@/lib/explorer/json-view';
import { TtlCache } from './concurrency';

export const TOOLS_CONSUMER_GROUP = 'TOOLS_CONSUMER';

export interface RenderedBody {
  size: number;
  /** text: valid UTF-8 without control characters; json: text that parses as JSON; binary: anything else. */
  kind: 'text' | 'json' | 'binary' | 'empty';
  text?: string;
  /** JSON re-indented from its own tokens (numbers and duplicate keys exactly as sent). */
  pretty?: string;
  hex?: string;
  base64: string;
  /** True when text/hex/base64 hold only the first part of the body. */
  truncated: boolean;
  /** Bytes of the body that `text` and `base64` hold (all of it unless truncated). */
  shownBytes: number;
  /** Bytes of the body that `hex` holds (binary bodies). */
  hexBytes?: number;
  /** Text and JSON: US-ASCII when every byte is below 0x80, else UTF-8. */
  charset?: 'US-ASCII' | 'UTF-8';
  /** Binary: why it is not shown as text. */
  binaryReason?: 'invalid-utf8' | 'control-characters' | 'compressed';
  compressedUnreadable?: boolean;
}

/** Bodies are shown as text up to this many bytes (the rest is cut, and said to be). */
export const BODY_TEXT_MAX = 256 * 1024;
/** Binary bodies get a hex dump of this many bytes at most. */
export const BODY_HEX_MAX = 4 * 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The text of a body, or why it is not text. A cut body may end inside a character: that is not binary. */
function decodeText(head: Buffer, cut: boolean): { ok: true; text: string } | { ok: false; reason: 'invalid-utf8' | 'control-characters' } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(head, { stream: cut });
  } catch {
    return { ok: false, reason: 'invalid-utf8' };
  }
  return CONTROL_CHARACTERS.test(text) ? { ok: false, reason: 'control-characters' } : { ok: true, text };
}

export function renderBody(body: Buffer, compressedUnreadable = false): RenderedBody {
  const size = body.length;
  if (size === 0) return { size, kind: 'empty', base64: '', truncated: false, shownBytes: 0 };
  const head = body.subarray(0, BODY_TEXT_MAX);
  const truncated = size > BODY_TEXT_MAX;
  const base64 = head.toString('base64');
  const decoded = compressedUnreadable ? ({ ok: false, reason: 'compressed' } as const) : decodeText(head, truncated);
  if (!decoded.ok) {
    const hexBytes = Math.min(size, BODY_HEX_MAX);
    return {
      size, kind: 'binary', binaryReason: decoded.reason, hex: body.subarray(0, hexBytes).toString('hex'), hexBytes, base64, shownBytes: head.length,
      truncated: truncated || size > BODY_HEX_MAX, ...(compressedUnreadable ? { compressedUnreadable } : {}),
    };
  }
  const { text } = decoded;
  const charset = head.every((b) => b < 0x80) ? 'US-ASCII' : 'UTF-8';
  if (!truncated) {
    const trimmed = text.trim();
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length > 1) {
      try {
        JSON.parse(trimmed);
        return { size, kind: 'json', text, pretty: prettyJson(trimmed), base64, truncated, shownBytes: size, charset };
      } catch {
        /* text that only looks like JSON */
      }
    }
  }
  return { size, kind: 'text', text, base64, truncated, shownBytes: head.length, charset };
}

/** A row's body kind without rendering it: binary from its first bytes, JSON when the whole body parses. */
export function bodyKindOf(body: Buffer, compressedUnreadable = false): RenderedBody['kind'] {
  if (body.length === 0) return 'empty';
  const head = body.subarray(0, 512);
  if (compressedUnreadable || !decodeText(head, body.length > head.length).ok) return 'binary';
  const first = head.toString('utf8').trimStart()[0];
  if ((first === '{' || first === '[') && body.length <= BODY_TEXT_MAX) {
    try {
      JSON.parse(body.toString('utf8'));
      return 'json';
    } catch {
      return 'text';
    }
  }
  return 'text';
}

export interface MessageView {
  msgId: string;
  offsetMsgId: string;
  topic: string;
  tags: string | null;
  keys: string[];
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeSize: number;
  bodyCRC: number;
  flag: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  properties: Record<string, string>;
  body: RenderedBody;
}

/** A summary row: no body beyond a short text preview. */
export interface MessageRow {
  msgId: string;
  offsetMsgId: string;
  topic: string;
  tags: string | null;
  keys: string[];
  queueId: number;
  queueOffset: number;
  brokerName: string;
  storeTimestamp: number;
  bornTimestamp: number;
  bodySize: number;
  bodyKind: RenderedBody['kind'];
  preview: string;
}

const host = (h: { address: string; port: number }) => (h.address.includes(':') ? `[${h.address}]:${h.port}` : `${h.address}:${h.port}`);

export function toMessageView(m: MessageExt): MessageView {
  return {
    msgId: m.msgId, offsetMsgId: m.offsetMsgId, topic: m.topic, tags: m.tags ?? null, keys: m.keys, queueId: m.queueId, queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset, storeSize: m.storeSize, bodyCRC: m.bodyCRC, flag: m.flag, sysFlag: m.sysFlag,
    bornTimestamp: m.bornTimestamp, bornHost: host(m.bornHost), storeTimestamp: m.storeTimestamp, storeHost: host(m.storeHost),
    reconsumeTimes: m.reconsumeTimes, preparedTransactionOffset: m.preparedTransactionOffset, properties: m.properties,
    body: renderBody(m.body, m.bodyCompressed),
  };
}

export function toMessageRow(m: MessageExt, brokerName: string): MessageRow {
  const bodyKind = bodyKindOf(m.body, m.bodyCompressed);
  const preview = bodyKind === 'binary' ? `(binary, ${m.body.length} bytes)` : m.body.subarray(0, 480).toString('utf8').replace(/\uFFFD+$/, '').replace(/\s+/g, ' ').slice(0, 120);
  return {
    msgId: m.msgId, offsetMsgId: m.offsetMsgId, topic: m.topic, tags: m.tags ?? null, keys: m.keys, queueId: m.queueId, queueOffset: m.queueOffset,
    brokerName, storeTimestamp: m.storeTimestamp, bornTimestamp: m.bornTimestamp, bodySize: m.body.length, bodyKind, preview,
  };
}

interface QueueRange {
  brokerName: string;
  addr: string;
  queueId: number;
  from: number;
  to: number;
}

/** Offset ranges of every readable queue for [begin, end), cached briefly so paging does not search again. */
const rangeCache = ((globalThis as unknown as { __rocketdeckRanges?: TtlCache<QueueRange[]> }).__rocketdeckRanges ??= new TtlCache<QueueRange[]>(60_000, 64));

async function topicRanges(admin: AdminClient, topic: string, begin: number, end: number): Promise<QueueRange[] | null> {
  const route = await admin.getTopicRoute(topic);
  if (!route) return null;
  return rangeCache.get(`${admin.namesrvAddr.join(';')}|${topic}|${begin}|${end}`, async () => {
    const ranges: QueueRange[] = [];
    for (const qd of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
      const addr = route.brokerDatas.find((b) => b.brokerName === qd.brokerName)?.brokerAddrs['0'];
      if (!addr) continue;
      await Promise.all(
        Array.from({ length: qd.readQueueNums }, async (_, queueId) => {
          const [min, max, lo, hi] = await Promise.all([
            admin.minOffset(addr, topic, queueId), admin.maxOffset(addr, topic, queueId),
            admin.searchOffset(addr, topic, queueId, begin), admin.searchOffset(addr, topic, queueId, end),
          ]);
          const from = Math.max(min, lo);
          const to = Math.min(max, Math.max(hi, from));
          if (to > from) ranges.push({ brokerName: qd.brokerName, addr, queueId, from, to });
        }),
      );
    }
    return ranges.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
  });
}

/** Ranges up to this many messages are read whole and shown newest first; larger ones are paged queue by queue. */
export const TIME_ORDER_MAX = 2_000;

export interface TopicPage {
  topic: string;
  /** Messages in the range (the queues' offsets between the two times; exact for Rocketdeck, ±1 per queue elsewhere). */
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  /** time: newest first over every queue; queue: queue by queue (the range is larger than TIME_ORDER_MAX). */
  order: 'time' | 'queue';
  messages: MessageRow[];
}

const rowsCache = ((globalThis as unknown as { __rocketdeckRows?: TtlCache<MessageRow[]> }).__rocketdeckRows ??= new TtlCache<MessageRow[]>(30_000, 16));

/** Rows at positions [skip, skip + count) of the ranges laid end to end (rows outside [begin, end) dropped). */
async function pullRows(admin: AdminClient, topic: string, ranges: QueueRange[], begin: number, end: number, skip: number, count: number): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  for (const r of ranges) {
    if (count <= 0) break;
    const size = r.to - r.from;
    if (skip >= size) {
      skip -= size;
      continue;
    }
    let offset = r.from + skip;
    skip = 0;
    const stop = Math.min(r.to, offset + count);
    count -= stop - offset;
    while (offset < stop) {
      const pulled = await admin.pullOnce(r.addr, { consumerGroup: TOOLS_CONSUMER_GROUP, topic, queueId: r.queueId, offset, maxNums: Math.min(32, stop - offset) });
      if (pulled.status !== 'FOUND' || pulled.messages.length === 0) break;
      for (const m of pulled.messages) {
        if (m.queueOffset >= stop) break;
        if (m.storeTimestamp >= begin && m.storeTimestamp < end) out.push(toMessageRow(m, r.brokerName));
      }
      offset = Math.max(offset + 1, pulled.nextBeginOffset);
    }
  }
  return out;
}

/** One page of a topic's messages stored in [begin, end). */
export async function queryTopicPage(admin: AdminClient, topic: string, begin: number, end: number, page: number, pageSize: number): Promise<TopicPage | null> {
  const ranges = await topicRanges(admin, topic, begin, end);
  if (!ranges) return null;
  const total = ranges.reduce((s, r) => s + (r.to - r.from), 0);
  if (total <= TIME_ORDER_MAX) {
    const rows = await rowsCache.get(`${admin.namesrvAddr.join(';')}|${topic}|${begin}|${end}`, async () =>
      (await pullRows(admin, topic, ranges, begin, end, 0, total)).sort((a, b) => b.storeTimestamp - a.storeTimestamp || b.queueOffset - a.queueOffset),
    );
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    return { topic, total: rows.length, page, pageSize, pages, order: 'time', messages: rows.slice((page - 1) * pageSize, page * pageSize) };
  }
  const messages = await pullRows(admin, topic, ranges, begin, end, (page - 1) * pageSize, pageSize);
  messages.sort((a, b) => b.storeTimestamp - a.storeTimestamp);
  return { topic, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)), order: 'queue', messages };
}

export type TrackType = 'CONSUMED' | 'CONSUMED_BUT_FILTERED' | 'NOT_CONSUME_YET' | 'NOT_ONLINE' | 'BROADCASTING' | 'PULL' | 'UNKNOWN';

export interface TrackRow {
  group: string;
  trackType: TrackType;
  clients: string[];
  error?: string;
}

function tagMatches(expression: string, tags: string | null): boolean {
  const expr = expression.trim();
  if (expr === '' || expr === '*') return true;
  return !!tags && expr.split('||').map((t) => t.trim()).includes(tags);
}

/** For every group that consumes the message's topic, whether it has consumed this message (RocketMQ's message track). */
export async function messageTrack(admin: AdminClient, m: MessageView): Promise<TrackRow[]> {
  const topic = m.properties.RETRY_TOPIC && m.topic.startsWith('%') ? m.properties.RETRY_TOPIC : m.topic;
  const groups = await admin.queryTopicConsumeByWho(topic).catch(() => [] as string[]);
  const brokerName = await brokerNameOf(admin, m.storeHost);
  return Promise.all(
    groups.map(async (group): Promise<TrackRow> => {
      try {
        const connection = await admin.examineConsumerConnection(group);
        const clients = connection?.connections.map((c) => c.clientId) ?? [];
        if (!connection || clients.length === 0) return { group, trackType: 'NOT_ONLINE', clients };
        if (connection.messageModel === 'BROADCASTING') return { group, trackType: 'BROADCASTING', clients };
        const subscription = connection.subscriptions.find((s) => s.topic === topic);
        if (!subscription) return { group, trackType: 'PULL', clients };
        const stats = await admin.examineConsumeStats(group, topic);
        const row = stats.offsetTable.find((o) => o.queue.topic === topic && o.queue.queueId === m.queueId && (!brokerName || o.queue.brokerName === brokerName));
        if (!row) return { group, trackType: 'UNKNOWN', clients };
        if (row.consumerOffset > m.queueOffset) return { group, trackType: tagMatches(subscription.subString, m.tags) ? 'CONSUMED' : 'CONSUMED_BUT_FILTERED', clients };
        return { group, trackType: 'NOT_CONSUME_YET', clients };
      } catch (err) {
        return { group, trackType: 'UNKNOWN', clients: [], error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

export async function brokerNameOf(admin: AdminClient, storeHost: string): Promise<string | null> {
  const info = await admin.getClusterInfo().catch(() => null);
  if (!info) return null;
  return Object.values(info.brokerAddrTable).find((b) => Object.values(b.brokerAddrs).includes(storeHost))?.brokerName ?? null;
}
