/**
 * One TCP connection speaking remoting frames, used by both the server and the client side:
 * both sides send requests (the broker pushes NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...),
 * so each connection matches responses to its own requests by opaque and dispatches incoming requests
 * to a processor table.
 *
 * Faults: a frame that cannot be decoded closes this connection (logged); a processor that throws gets a
 * SYSTEM_ERROR response with its message; an unknown code gets REQUEST_CODE_NOT_SUPPORTED.
 * Backpressure: when the socket's write buffer is over its mark we stop reading from it until 'drain'.
 */
import type net from 'node:net';
import { FrameDecoder } from '../protocol/frame-decoder';
import { createResponse, decodeFrame, encodeFrame, isOneway, isResponse, RPC_TYPE_ONEWAY, type RemotingCommand } from '../protocol/remoting-command';
import { requestCodeName } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { ConnectionClosedError, BrokerError, RequestTimeoutError, errorMessage } from '../util/errors';
import type { Logger } from '../util/logger';
import { INFLIGHT_REQUESTS_MAX, SERVER_PENDING_REQUESTS_PER_CONNECTION_MAX } from '../config/limits';

export interface RemotingConnection {
  readonly id: string;
  /** "ip:port" of the peer. */
  readonly remoteAddress: string;
  /** "ip:port" of our end. */
  readonly localAddress: string;
  /** Per-connection state kept by processors (client id, language, version ...). */
  readonly attributes: Map<string, unknown>;
  readonly closed: boolean;
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  invokeOneway(request: RemotingCommand): void;
  close(): void;
}

/** Returns the response, or null for none. May take long (long polling). Throwing answers SYSTEM_ERROR. */
export type RequestProcessor = (
  request: RemotingCommand,
  connection: RemotingConnection,
) => Promise<RemotingCommand | null> | RemotingCommand | null;

interface PendingRequest {
  resolve(response: RemotingCommand): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  code: number;
}

export interface ConnectionOptions {
  id: string;
  logger: Logger;
  processors: ReadonlyMap<number, RequestProcessor>;
  frameBytesMax?: number;
  inflightRequestsMax?: number;
  /** Source of opaque values for requests we send on this connection. */
  nextOpaque: () => number;
  onClose?: (connection: Connection) => void;
  /** Shared by a server's connections: bytes of incomplete frames held, and the most they may hold together. */
  partialFrameBudget?: PartialFrameBudget;
}

export interface PartialFrameBudget {
  used: number;
  readonly max: number;
}

function socketAddress(address: string | undefined, port: number | undefined): string {
  if (!address) return 'unknown:0';
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `${host}:${port ?? 0}`;
}

export class Connection implements RemotingConnection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly attributes = new Map<string, unknown>();
  readonly #socket: net.Socket;
  readonly #decoder: FrameDecoder;
  readonly #options: ConnectionOptions;
  readonly #pending = new Map<number, PendingRequest>();
  #processing = 0;
  #closed = false;
  #corked = false;

  constructor(socket: net.Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.id = options.id;
    this.remoteAddress = socketAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = socketAddress(socket.localAddress, socket.localPort);
    this.#decoder = new FrameDecoder(options.frameBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', (err) => options.logger.debug('socket error', { connection: this.id, peer: this.remoteAddress, error: err.message }));
    socket.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get inflightRequests(): number {
    return this.#pending.size;
  }

  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(`connection to ${this.remoteAddress} is closed`));
    if (this.#pending.size >= (this.#options.inflightRequestsMax ?? INFLIGHT_REQUESTS_MAX)) {
      return Promise.reject(
        new BrokerError('BROKER_ERR_TOO_MANY_REQUESTS', `${this.#pending.size} requests already in flight to ${this.remoteAddress}`, { retriable: true }),
      );
    }
    const opaque = this.#options.nextOpaque();
    const frame = encodeFrame({ ...request, opaque, flag: request.flag & ~1 });
    return new Promise<RemotingCommand>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(opaque);
        reject(new RequestTimeoutError(`${requestCodeName(request.code)} to ${this.remoteAddress} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(opaque, { resolve, reject, timer, code: request.code });
      this.#write(frame);
    });
  }

  invokeOneway(request: RemotingCommand): void {
    if (this.#closed) return;
    const opaque = this.#options.nextOpaque();
    this.#write(encodeFrame({ ...request, opaque, flag: (request.flag | RPC_TYPE_ONEWAY) & ~1 }));
  }

  close(): void {
    if (this.#closed) return;
    this.#socket.destroy();
  }

  #write(frame: Buffer): void {
    if (this.#closed) return;
    // Coalesce the frames written in one tick into one syscall.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (!this.#socket.write(frame)) this.#socket.pause();
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    const bufferedBefore = this.#decoder.bufferedBytes;
    const budget = this.#options.partialFrameBudget;
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      if (budget) budget.used += this.#decoder.bufferedBytes - bufferedBefore; // released again on close
      this.#dropCorrupt(err);
      return;
    }
    if (budget) {
      budget.used += this.#decoder.bufferedBytes - bufferedBefore;
      if (budget.used > budget.max) {
        this.#options.logger.warn('closing a connection: incomplete frames of all connections are over their limit', { peer: this.remoteAddress, bufferedBytes: this.#decoder.bufferedBytes, limitBytes: budget.max });
        this.#socket.destroy();
        return;
      }
    }
    for (const frame of frames) {
      let command: RemotingCommand;
      try {
        command = decodeFrame(frame);
      } catch (err) {
        this.#dropCorrupt(err);
        return;
      }
      if (isResponse(command)) this.#onResponse(command);
      else void this.#onRequest(command);
    }
  }

  #dropCorrupt(err: unknown): void {
    this.#options.logger.warn('closing connection after a corrupt frame', { peer: this.remoteAddress, error: errorMessage(err) });
    this.#socket.destroy();
  }

  #onResponse(response: RemotingCommand): void {
    const pending = this.#pending.get(response.opaque);
    if (!pending) {
      this.#options.logger.debug('response with no waiting request (late or unknown)', { peer: this.remoteAddress, opaque: response.opaque });
      return;
    }
    this.#pending.delete(response.opaque);
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  async #onRequest(request: RemotingCommand): Promise<void> {
    const oneway = isOneway(request);
    const processor = this.#options.processors.get(request.code);
    let response: RemotingCommand | null;
    if (!processor) {
      response = createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `request type ${request.code} not supported`);
    } else if (this.#processing >= SERVER_PENDING_REQUESTS_PER_CONNECTION_MAX) {
      response = createResponse(request, ResponseCode.SYSTEM_BUSY, `too many requests in progress on this connection (${this.#processing})`);
    } else {
      this.#processing++;
      try {
        response = await processor(request, this);
      } catch (err) {
        // A request with a bad field is the peer's mistake, answered with a remark; logged at debug so bad input cannot flood the log.
        const invalidInput = (err as { code?: unknown } | null)?.code === 'BROKER_ERR_INVALID_ARGUMENT';
        this.#options.logger[invalidInput ? 'debug' : 'warn']('processor failed', { code: requestCodeName(request.code), peer: this.remoteAddress, error: errorMessage(err) });
        response = createResponse(request, ResponseCode.SYSTEM_ERROR, errorMessage(err) || 'processor failed');
      } finally {
        this.#processing--;
      }
    }
    if (oneway || response === null || this.#closed) return;
    try {
      this.#write(encodeFrame({ ...response, opaque: request.opaque, flag: response.flag | 1 }));
    } catch (err) {
      // e.g. a response over the frame limit: tell the peer instead of leaving it waiting
      const failure = createResponse(request, ResponseCode.SYSTEM_ERROR, `response could not be encoded: ${errorMessage(err)}`);
      this.#write(encodeFrame(failure));
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#options.partialFrameBudget) this.#options.partialFrameBudget.used -= this.#decoder.bufferedBytes;
    for (const [opaque, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new ConnectionClosedError(`connection to ${this.remoteAddress} closed before ${requestCodeName(pending.code)} was answered`));
      this.#pending.delete(opaque);
    }
    this.#options.onClose?.(this);
  }
}
