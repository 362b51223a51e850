/**
 * RocketMQ 4.x message trace records, as the Java client writes them to RMQ_SYS_TRACE_TOPIC: records end with
 * FIELD_SPLITOR (\u0002), their fields are separated by CONTENT_SPLITOR (\u0001), the first field names the
 * type. A trace message's keys are the traced msgIds (and their keys), so a trace is found by QUERY_MESSAGE on
 * the trace topic with the message id. Field order per type (4.9.4, checked against captured Java traces):
 *   Pub:        type, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, bodyLength, costTime,
 *               msgType, offsetMsgId, success
 *   SubBefore:  type, timestamp, regionId, group, requestId, msgId, retryTimes, keys
 *   SubAfter:   type, requestId, msgId, costTime, success, keys, contextCode, timestamp, group
 *   EndTransaction: type, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, msgType,
 *               transactionId, transactionState, fromTransactionCheck
 */
export const TRACE_TOPIC = 'RMQ_SYS_TRACE_TOPIC';
export const CONTENT_SPLITOR = '\u0001';
export const FIELD_SPLITOR = '\u0002';

export type TraceType = 'Pub' | 'SubBefore' | 'SubAfter' | 'EndTransaction';

export interface TraceRecord {
  type: TraceType;
  msgId: string;
  timestamp?: number;
  regionId?: string;
  groupName?: string;
  topic?: string;
  tags?: string;
  keys?: string;
  storeHost?: string;
  bodyLength?: number;
  costTime?: number;
  /** Pub/EndTransaction: MessageType ordinal (0 normal, 1 trans half, 2 trans commit, 3 delay). */
  msgType?: number;
  offsetMsgId?: string;
  success?: boolean;
  /** SubBefore/SubAfter: pairs a consume's before and after records. */
  requestId?: string;
  retryTimes?: number;
  /** SubAfter: ConsumeReturnType ordinal (0 success, 1 timeout, 2 exception, 3 returned null, 4 failed). */
  contextCode?: number;
  transactionId?: string;
  transactionState?: string;
  fromTransactionCheck?: boolean;
}

const num = (v: string | undefined) => (v === undefined || v === '' || v === 'null' ? undefined : Number(v));
const str = (v: string | undefined) => (v === undefined || v === 'null' ? undefined : v);
const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true');

/** Every record of a trace message body; unknown types and malformed records are skipped. */
export function decodeTraceBody(body: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (const record of body.split(FIELD_SPLITOR)) {
    if (!record) continue;
    const f = record.split(CONTENT_SPLITOR);
    switch (f[0]) {
      case 'Pub':
        if (f.length < 13) continue;
        out.push({
          type: 'Pub', timestamp: num(f[1]), regionId: str(f[2]), groupName: str(f[3]), topic: str(f[4]), msgId: f[5] ?? '', tags: str(f[6]), keys: str(f[7]),
          storeHost: str(f[8]), bodyLength: num(f[9]), costTime: num(f[10]), msgType: num(f[11]), offsetMsgId: str(f[12]), success: f.length > 13 ? bool(f[13]) : true,
        });
        break;
      case 'SubBefore':
        if (f.length < 8) continue;
        out.push({ type: 'SubBefore', timestamp: num(f[1]), regionId: str(f[2]), groupName: str(f[3]), requestId: str(f[4]), msgId: f[5] ?? '', retryTimes: num(f[6]), keys: str(f[7]) });
        break;
      case 'SubAfter':
        if (f.length < 6) continue;
        out.push({
          type: 'SubAfter', requestId: str(f[1]), msgId: f[2] ?? '', costTime: num(f[3]), success: bool(f[4]), keys: str(f[5]), contextCode: num(f[6]),
          timestamp: num(f[7]), groupName: str(f[8]),
        });
        break;
      case 'EndTransaction':
        if (f.length < 13) continue;
        out.push({
          type: 'EndTransaction', timestamp: num(f[1]), regionId: str(f[2]), groupName: str(f[3]), topic: str(f[4]), msgId: f[5] ?? '', tags: str(f[6]), keys: str(f[7]),
          storeHost: str(f[8]), msgType: num(f[9]), transactionId: str(f[10]), transactionState: str(f[11]), fromTransactionCheck: bool(f[12]),
        });
        break;
      default:
    }
  }
  return out;
}

/** One record in the Java client's layout (what decodeTraceBody reads back). */
export function encodeTraceRecord(r: TraceRecord): string {
  const v = (x: unknown) => (x === undefined ? 'null' : String(x));
  let fields: unknown[];
  switch (r.type) {
    case 'Pub':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, r.tags, r.keys, r.storeHost, r.bodyLength, r.costTime, r.msgType, r.offsetMsgId, r.success];
      break;
    case 'SubBefore':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.requestId, r.msgId, r.retryTimes, r.keys];
      break;
    case 'SubAfter':
      fields = [r.type, r.requestId, r.msgId, r.costTime, r.success, r.keys, r.contextCode, r.timestamp, r.groupName];
      break;
    case 'EndTransaction':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, r.tags, r.keys, r.storeHost, r.msgType, r.transactionId, r.transactionState, r.fromTransactionCheck];
      break;
  }
  return fields.map(v).join(CONTENT_SPLITOR) + FIELD_SPLITOR;
}
