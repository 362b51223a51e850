/** Stable links of the explorer: a URL that reopens one message by its position (and checks its id). */

export interface MessagePosition {
  topic: string;
  brokerName: string;
  queueId: number;
  queueOffset: number;
  msgId?: string;
}

export function positionParams(p: MessagePosition): URLSearchParams {
  const params = new URLSearchParams({ topic: p.topic, broker: p.brokerName, queue: String(p.queueId), offset: String(p.queueOffset) });
  if (p.msgId) params.set('msgId', p.msgId);
  return params;
}

/** The page of one message: /explorer/message?topic=&broker=&queue=&offset=&msgId= */
export const messageLink = (p: MessagePosition): string => `/explorer/message?${positionParams(p)}`;

/** Its raw body, as a download. */
export const messageBodyLink = (p: MessagePosition): string => `/api/explorer/message/body?${positionParams(p)}`;
