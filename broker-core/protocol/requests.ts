/**
 * What each request code carries, decoded in one place: the typed header (protocol/headers/) and, for codes
 * whose body something must check before the processor runs, the typed body (protocol/bodies/).
 *
 * The broker decodes a request once, before its ACL check, and hands that same decoding to the ACL and to the
 * processor: a request is checked on exactly the values it is executed with. A code not listed here carries
 * nothing that is read through this table.
 */
import type { RemotingCommand } from './remoting-command';
import { RequestCode } from './request-code';
import { decodeHeartbeatData } from './bodies/heartbeat-data';
import type { FieldNames, HeaderOf, HeaderSchema } from './headers/header-schema';
import {
  GetConsumerListByGroupRequestHeader,
  QueryConsumerOffsetRequestHeader,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from './headers/client-request-headers';
import { ConsumerSendMsgBackRequestHeader } from './headers/consumer-send-msg-back-request-header';
import { PullMessageRequestHeader } from './headers/pull-message-request-header';
import { QueryMessageRequestHeader } from './headers/query-message-request-header';
import { SendMessageRequestHeader } from './headers/send-message-request-header';
import { AckMessageRequestHeader, ChangeInvisibleTimeRequestHeader, PopMessageRequestHeader } from './headers/pop-message-request-headers';
import { decodeBatchAckBody } from './bodies/batch-ack-body';

interface RequestSpec {
  // any schema: each entry of REQUESTS keeps its own type
  readonly header?: HeaderSchema<any>;
  /** `short`: the header's fields may come under their one-letter names (SEND_MESSAGE_V2). */
  readonly names?: FieldNames;
  readonly body?: (body: Buffer | undefined) => unknown;
}

export const REQUESTS = {
  [RequestCode.SEND_MESSAGE]: { header: SendMessageRequestHeader },
  [RequestCode.SEND_MESSAGE_V2]: { header: SendMessageRequestHeader, names: 'short' },
  [RequestCode.SEND_BATCH_MESSAGE]: { header: SendMessageRequestHeader, names: 'short' },
  [RequestCode.SEND_REPLY_MESSAGE]: { header: SendMessageRequestHeader },
  [RequestCode.SEND_REPLY_MESSAGE_V2]: { header: SendMessageRequestHeader, names: 'short' },
  [RequestCode.CONSUMER_SEND_MSG_BACK]: { header: ConsumerSendMsgBackRequestHeader },
  [RequestCode.PULL_MESSAGE]: { header: PullMessageRequestHeader },
  [RequestCode.QUERY_MESSAGE]: { header: QueryMessageRequestHeader },
  [RequestCode.HEART_BEAT]: { body: decodeHeartbeatData },
  [RequestCode.UNREGISTER_CLIENT]: { header: UnregisterClientRequestHeader },
  [RequestCode.GET_CONSUMER_LIST_BY_GROUP]: { header: GetConsumerListByGroupRequestHeader },
  [RequestCode.QUERY_CONSUMER_OFFSET]: { header: QueryConsumerOffsetRequestHeader },
  [RequestCode.UPDATE_CONSUMER_OFFSET]: { header: UpdateConsumerOffsetRequestHeader },
  [RequestCode.POP_MESSAGE]: { header: PopMessageRequestHeader },
  [RequestCode.ACK_MESSAGE]: { header: AckMessageRequestHeader },
  [RequestCode.CHANGE_MESSAGE_INVISIBLETIME]: { header: ChangeInvisibleTimeRequestHeader },
  [RequestCode.BATCH_ACK_MESSAGE]: { body: decodeBatchAckBody },
} as const satisfies Readonly<Record<number, RequestSpec>>;

export type DecodedCode = keyof typeof REQUESTS;
type SpecOf<C> = C extends DecodedCode ? (typeof REQUESTS)[C] : object;
export type RequestHeaderOf<C> = SpecOf<C> extends { header: infer S } ? HeaderOf<S> : undefined;
export type RequestBodyOf<C> = SpecOf<C> extends { body: (body: Buffer | undefined) => infer B } ? B : undefined;

/** A request's header and body as decoded for request code C. */
export interface DecodedRequest<C = number> {
  readonly header: RequestHeaderOf<C>;
  readonly body: RequestBodyOf<C>;
}

/**
 * Decodes what the request's code carries. Throws HeaderFieldError (a field missing, malformed or sent under
 * two names) or BodyFormatError; both are BROKER_ERR_INVALID_ARGUMENT.
 */
export function decodeRequest(request: RemotingCommand): DecodedRequest {
  const spec: RequestSpec | undefined = (REQUESTS as Readonly<Record<number, RequestSpec>>)[request.code];
  if (!spec) return { header: undefined, body: undefined };
  return {
    header: spec.header?.decode(request.extFields, spec.names),
    body: spec.body?.(request.body),
  } as DecodedRequest;
}
