/**
 * Coded errors for faults (I/O, timeouts, decode, limits). Expected outcomes are returned as statuses,
 * never thrown. Boundaries branch on `err.code`, never on `instanceof` (Next.js may load two copies).
 */
export type BrokerErrorCode =
  | 'BROKER_ERR_DECODE'
  | 'BROKER_ERR_FRAME_TOO_LARGE'
  | 'BROKER_ERR_BAD_HEADER_LENGTH'
  | 'BROKER_ERR_REQUEST_TIMEOUT'
  | 'BROKER_ERR_CONNECTION_CLOSED'
  | 'BROKER_ERR_CONNECT'
  | 'BROKER_ERR_TOO_MANY_REQUESTS'
  | 'BROKER_ERR_REMOTE'
  | 'BROKER_ERR_STORE_CORRUPT'
  | 'BROKER_ERR_STORE_IO'
  | 'BROKER_ERR_LIMIT_EXCEEDED'
  | 'BROKER_ERR_INVALID_ARGUMENT'
  | 'BROKER_ERR_NO_NAMESRV'
  | 'BROKER_ERR_NO_ROUTE'
  | 'BROKER_ERR_CLOSED'
  | 'BROKER_ERR_ACL_CONFIG';

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  readonly retriable: boolean;

  constructor(code: BrokerErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export class ProtocolDecodeError extends BrokerError {
  constructor(message: string, cause?: unknown) {
    super('BROKER_ERR_DECODE', message, { cause });
    this.name = 'ProtocolDecodeError';
  }
}

export class FrameTooLargeError extends BrokerError {
  constructor(frameBytes: number, frameBytesMax: number) {
    super('BROKER_ERR_FRAME_TOO_LARGE', `frame of ${frameBytes} bytes exceeds the limit of ${frameBytesMax} bytes`);
    this.name = 'FrameTooLargeError';
  }
}

export class BadHeaderLengthError extends BrokerError {
  constructor(headerBytes: number, frameBytes: number) {
    super('BROKER_ERR_BAD_HEADER_LENGTH', `bad header length ${headerBytes} for a frame of ${frameBytes} bytes`);
    this.name = 'BadHeaderLengthError';
  }
}

export class RequestTimeoutError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_REQUEST_TIMEOUT', message, { retriable: true });
    this.name = 'RequestTimeoutError';
  }
}

export class ConnectionClosedError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_CONNECTION_CLOSED', message, { retriable: true });
    this.name = 'ConnectionClosedError';
  }
}

/** A RocketMQ error response: carries the wire response code and remark. */
export class RemoteError extends BrokerError {
  readonly responseCode: number;
  readonly remark: string;

  constructor(responseCode: number, remark: string, responseCodeName?: string) {
    super('BROKER_ERR_REMOTE', `${responseCodeName ?? 'CODE'} (${responseCode}): ${remark || 'no remark'}`, {
      retriable: [1, 2, 14, 17].includes(responseCode),
    });
    this.name = 'RemoteError';
    this.responseCode = responseCode;
    this.remark = remark;
  }
}

export class StoreCorruptError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_STORE_CORRUPT', message);
    this.name = 'StoreCorruptError';
  }
}

export class LimitExceededError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_LIMIT_EXCEEDED', message);
    this.name = 'LimitExceededError';
  }
}

export function isBrokerError(err: unknown): err is BrokerError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' &&
    String((err as { code: string }).code).startsWith('BROKER_ERR_');
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
