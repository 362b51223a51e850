/**
 * POP from a broker over remoting, the way RocketMQ 5.x's MQClientAPIImpl does it (popMessageAsync,
 * processPopResponse, ackMessageAsync, batchAckMessageAsync, changeInvisibleTimeAsync): each popped message gets
 * its POP_CK property (the extraInfo its ack needs) built from the response's startOffsetInfo / msgOffsetInfo /
 * orderCountInfo, unless the broker set one (a retry copy).
 */
import { createRequest } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { RemoteError } from '../util/errors';
import { buildReceiptHandle, parseOffsetInfo, parseReceiptHandle, realTopicOf, retryFlagOf, type ReceiptHandle } from '../broker/pop/pop-receipt';
import { decodeMessages, type MessageExt } from './message';

export type PopStatus = 'FOUND' | 'NO_NEW_MSG' | 'POLLING_FULL' | 'POLLING_NOT_FOUND';

export interface PopOptions {
  topic: string;
  group: string;
  /** -1: every queue of the broker. */
  queueId?: number;
  maxMsgNums: number;
  invisibleTimeMs: number;
  pollTimeMs?: number;
  /** 0 MAX (start at the end), 1 MIN. */
  initMode?: number;
  expressionType?: 'TAG' | 'SQL92';
  expression?: string;
  order?: boolean;
  timeoutMs?: number;
}

export interface PopResult {
  status: PopStatus;
  messages: MessageExt[];
  popTime: number;
  invisibleTime: number;
  restNum: number;
}

export const PROPERTY_POP_CK = 'POP_CK';

export class PopClient {
  readonly #remoting: RemotingClient;

  constructor(remoting?: RemotingClient) {
    this.#remoting = remoting ?? new RemotingClient();
  }

  async close(): Promise<void> {
    await this.#remoting.close();
  }

  async pop(brokerAddr: string, brokerName: string, options: PopOptions): Promise<PopResult> {
    const pollTime = options.pollTimeMs ?? 0;
    const request = createRequest(RequestCode.POP_MESSAGE, {
      consumerGroup: options.group,
      topic: options.topic,
      queueId: options.queueId ?? -1,
      maxMsgNums: options.maxMsgNums,
      invisibleTime: options.invisibleTimeMs,
      pollTime,
      bornTime: Date.now(),
      initMode: options.initMode ?? 0,
      expType: options.expression !== undefined ? (options.expressionType ?? 'TAG') : undefined,
      exp: options.expression,
      order: options.order ?? false,
    });
    const response = await this.#remoting.invoke(brokerAddr, request, options.timeoutMs ?? pollTime + 10_000);
    const ext = response.extFields ?? {};
    const status: PopStatus | null =
      response.code === ResponseCode.SUCCESS ? 'FOUND'
        : response.code === ResponseCode.POLLING_FULL ? 'POLLING_FULL'
          : response.code === ResponseCode.POLLING_TIMEOUT || response.code === ResponseCode.PULL_NOT_FOUND ? 'POLLING_NOT_FOUND'
            : null;
    if (!status) throw new RemoteError(response.code, response.remark ?? '', responseCodeName(response.code));
    const result: PopResult = { status, messages: [], popTime: Number(ext.popTime ?? 0), invisibleTime: Number(ext.invisibleTime ?? 0), restNum: Number(ext.restNum ?? 0) };
    if (status !== 'FOUND') return result;
    result.messages = decodeMessages(response.body ?? Buffer.alloc(0));
    const reviveQid = Number(ext.reviveQid ?? 0);
    const startOffsets = parseOffsetInfo(ext.startOffsetInfo);
    const msgOffsets = parseOffsetInfo(ext.msgOffsetInfo);
    const orderCounts = parseOffsetInfo(ext.orderCountInfo);
    for (const message of result.messages) {
      message.brokerName = brokerName;
      if (message.properties[PROPERTY_POP_CK] === undefined) {
        const key = `${retryFlagOf(message.topic)}@${message.queueId}`;
        const startOffset = Number(startOffsets.get(key));
        const offsets = (msgOffsets.get(key) ?? '').split(',').map(Number);
        if (!offsets.includes(message.queueOffset) || !Number.isFinite(startOffset)) throw new Error(`the POP response does not list ${key} offset ${message.queueOffset}`);
        message.properties[PROPERTY_POP_CK] = buildReceiptHandle({
          ckQueueOffset: startOffset, popTime: result.popTime, invisibleTime: result.invisibleTime, reviveQid,
          retryFlag: retryFlagOf(message.topic), brokerName, queueId: message.queueId, queueOffset: message.queueOffset,
        });
        const count = Number(orderCounts.get(`${retryFlagOf(message.topic)}@qo${message.queueId}%${message.queueOffset}`) ?? 0);
        if (options.order && count > 0) message.reconsumeTimes = count;
      }
      message.properties['1ST_POP_TIME'] ??= String(result.popTime);
    }
    return result;
  }

  #handleOf(message: MessageExt): ReceiptHandle {
    const handle = parseReceiptHandle(message.properties[PROPERTY_POP_CK] ?? '');
    if (!handle) throw new Error('the message has no POP_CK property');
    return handle;
  }

  /** ACK_MESSAGE; resolves with the response code (SUCCESS 0, NO_MESSAGE 208 for a stale handle, ...). */
  async ack(brokerAddr: string, group: string, message: MessageExt, extraInfo?: string): Promise<{ code: number; remark?: string }> {
    const info = extraInfo ?? message.properties[PROPERTY_POP_CK] ?? '';
    const handle = parseReceiptHandle(info);
    const request = createRequest(RequestCode.ACK_MESSAGE, {
      consumerGroup: group,
      topic: handle ? realTopicOf(message.topic, group, handle.retryFlag) : message.topic,
      queueId: message.queueId,
      extraInfo: info,
      offset: message.queueOffset,
    });
    const response = await this.#remoting.invoke(brokerAddr, request, 5_000);
    return { code: response.code, ...(response.remark ? { remark: response.remark } : {}) };
  }

  /** CHANGE_MESSAGE_INVISIBLETIME; on success the new extraInfo (and the message's POP_CK is updated). */
  async changeInvisibleTime(brokerAddr: string, group: string, message: MessageExt, invisibleTimeMs: number): Promise<{ code: number; remark?: string; extraInfo?: string }> {
    const handle = this.#handleOf(message);
    const request = createRequest(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, {
      consumerGroup: group,
      topic: realTopicOf(message.topic, group, handle.retryFlag),
      queueId: message.queueId,
      extraInfo: message.properties[PROPERTY_POP_CK],
      offset: message.queueOffset,
      invisibleTime: invisibleTimeMs,
    });
    const response = await this.#remoting.invoke(brokerAddr, request, 5_000);
    if (response.code !== ResponseCode.SUCCESS) return { code: response.code, ...(response.remark ? { remark: response.remark } : {}) };
    const ext = response.extFields ?? {};
    const extraInfo = buildReceiptHandle({ ...handle, popTime: Number(ext.popTime), invisibleTime: Number(ext.invisibleTime), reviveQid: Number(ext.reviveQid), queueOffset: message.queueOffset });
    message.properties[PROPERTY_POP_CK] = extraInfo;
    return { code: response.code, extraInfo };
  }

  /** BATCH_ACK_MESSAGE: acks grouped by (retry flag, queue, ck offset, popTime) with a java.util.BitSet each. */
  async batchAck(brokerAddr: string, brokerName: string, group: string, topic: string, messages: MessageExt[]): Promise<{ code: number; remark?: string }> {
    const acks = new Map<string, { c: string; t: string; r: string; so: number; q: number; rq: number; pt: number; it: number; bits: number[] }>();
    for (const message of messages) {
      const handle = this.#handleOf(message);
      const key = `${handle.retryFlag}@${handle.queueId}@${handle.ckQueueOffset}@${handle.popTime}`;
      let ack = acks.get(key);
      if (!ack) acks.set(key, (ack = { c: group, t: topic, r: handle.retryFlag, so: handle.ckQueueOffset, q: handle.queueId, rq: handle.reviveQid, pt: handle.popTime, it: handle.invisibleTime, bits: [] }));
      ack.bits.push((handle.queueOffset ?? message.queueOffset) - handle.ckQueueOffset);
    }
    const body = {
      brokerName,
      acks: [...acks.values()].map(({ bits, ...rest }) => {
        const bytes = Buffer.alloc(Math.max(...bits) / 8 + 1);
        for (const bit of bits) bytes[bit >> 3]! |= 1 << (bit & 7);
        return { ...rest, b: bytes.toString('base64') };
      }),
    };
    const response = await this.#remoting.invoke(brokerAddr, createRequest(RequestCode.BATCH_ACK_MESSAGE, {}, Buffer.from(JSON.stringify(body))), 5_000);
    return { code: response.code, ...(response.remark ? { remark: response.remark } : {}) };
  }
}
