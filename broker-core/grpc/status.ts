/**
 * Statuses of the gRPC API. Every RPC answers its outcome in the response's `status` field (apache.rocketmq.v2
 * Code, e.g. TOPIC_NOT_FOUND 40402) with the gRPC transport status OK, as the Apache Proxy does; clients read
 * that field (rocketmq-client-nodejs' StatusChecker raises NotFoundException, ForbiddenException, ...).
 *
 * Broker answers (remoting response codes) map to codes as the Proxy's ResponseBuilder does, with the codes
 * it leaves to INTERNAL_SERVER_ERROR made specific where the remoting code says what happened.
 */
import { ResponseCode } from '../protocol/response-code';
import type { RemotingCommand } from '../protocol/remoting-command';
import type { Code, Status } from './grpc-types';

/** An expected refusal inside a handler: answered as that status (never logged as a fault). */
export class GrpcStatusError extends Error {
  readonly status: Code;

  constructor(status: Code, message: string) {
    super(message);
    this.name = 'GrpcStatusError';
    this.status = status;
  }
}

export function status(code: Code, message?: string): Status {
  return { code, message: message ?? code };
}

export const OK: Status = status('OK');

const REMOTING_TO_CODE = new Map<number, Code>([
  [ResponseCode.SUCCESS, 'OK'],
  [ResponseCode.SYSTEM_BUSY, 'TOO_MANY_REQUESTS'],
  [ResponseCode.FLOW_CONTROL, 'TOO_MANY_REQUESTS'],
  [ResponseCode.REQUEST_CODE_NOT_SUPPORTED, 'NOT_IMPLEMENTED'],
  [ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, 'CONSUMER_GROUP_NOT_FOUND'],
  [ResponseCode.TOPIC_NOT_EXIST, 'TOPIC_NOT_FOUND'],
  [ResponseCode.NO_PERMISSION, 'FORBIDDEN'],
  [ResponseCode.MESSAGE_ILLEGAL, 'BAD_REQUEST'],
  [ResponseCode.INVALID_PARAMETER, 'BAD_REQUEST'],
  [ResponseCode.SUBSCRIPTION_PARSE_FAILED, 'ILLEGAL_FILTER_EXPRESSION'],
  [ResponseCode.FLUSH_DISK_TIMEOUT, 'MASTER_PERSISTENCE_TIMEOUT'],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, 'SLAVE_PERSISTENCE_TIMEOUT'],
  [ResponseCode.SLAVE_NOT_AVAILABLE, 'HA_NOT_AVAILABLE'],
  [ResponseCode.VERSION_NOT_SUPPORTED, 'VERSION_UNSUPPORTED'],
  [ResponseCode.PULL_NOT_FOUND, 'MESSAGE_NOT_FOUND'],
  [ResponseCode.NO_MESSAGE, 'MESSAGE_NOT_FOUND'],
  [ResponseCode.QUERY_NOT_FOUND, 'OFFSET_NOT_FOUND'],
]);

/** The Code for a remoting response code; anything unknown is INTERNAL_SERVER_ERROR. */
export function codeOfRemoting(responseCode: number): Code {
  return REMOTING_TO_CODE.get(responseCode) ?? 'INTERNAL_SERVER_ERROR';
}

/** A broker's answer as a status: its code mapped, its remark as the message. */
export function statusOfResponse(response: RemotingCommand): Status {
  const code = codeOfRemoting(response.code);
  return status(code, response.remark || code);
}

/** A thrown error as a status: GrpcStatusError keeps its code; timeouts are PROXY_TIMEOUT; the rest internal. */
export function statusOfError(err: unknown): Status {
  if (err instanceof GrpcStatusError) return status(err.status, err.message);
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'BROKER_ERR_REQUEST_TIMEOUT') return status('PROXY_TIMEOUT', message);
  if (code === 'BROKER_ERR_TOO_MANY_REQUESTS') return status('TOO_MANY_REQUESTS', message);
  if (code === 'BROKER_ERR_NO_ROUTE') return status('TOPIC_NOT_FOUND', message);
  return status('INTERNAL_SERVER_ERROR', message);
}
