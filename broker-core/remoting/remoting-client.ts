/**
 * The client side: one lazily opened connection per "host:port", requests matched by opaque (one counter per
 * client, like the Java client), per-request timeouts, oneway sends, a bounded number in flight per
 * connection, and requests the server sends us (NOTIFY_CONSUMER_IDS_CHANGED ...) dispatched to processors.
 * An rpcHook (the ACL signer) rewrites each request we send; responses we send are not passed through it.
 * A closed connection is reopened by the next request to that address.
 */
import net from 'node:net';
import { Connection, type RequestProcessor } from './connection';
import type { RemotingCommand } from '../protocol/remoting-command';
import { BrokerError, errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { INFLIGHT_REQUESTS_MAX } from '../config/limits';

export interface RemotingClientOptions {
  logger?: Logger;
  connectTimeoutMs?: number;
  inflightRequestsMax?: number;
  /** Called when an open connection to an address closes (the peer went away or restarted). */
  onConnectionClosed?: (address: string) => void;
  /** Rewrites every request before it is sent (RocketMQ's RPCHook.doBeforeRequest; the ACL signer is one). */
  rpcHook?: (request: RemotingCommand) => RemotingCommand;
}

const CONNECT_TIMEOUT_MS_DEFAULT = 3_000;

export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `"${address}" is not a host:port address`);
  }
  return { host, port };
}

export class RemotingClient {
  readonly #options: RemotingClientOptions;
  readonly #logger: Logger;
  readonly #processors = new Map<number, RequestProcessor>();
  readonly #connections = new Map<string, Promise<Connection>>();
  #opaque = 0;
  #closed = false;

  constructor(options: RemotingClientOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  registerProcessor(code: number, processor: RequestProcessor): void {
    this.#processors.set(code, processor);
  }

  async invoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const started = Date.now();
    const connection = await this.#connect(address, timeoutMs);
    return connection.invoke(this.#hooked(request), Math.max(1, timeoutMs - (Date.now() - started)));
  }

  async invokeOneway(address: string, request: RemotingCommand): Promise<void> {
    const connection = await this.#connect(address, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT);
    connection.invokeOneway(this.#hooked(request));
  }

  #hooked(request: RemotingCommand): RemotingCommand {
    return this.#options.rpcHook ? this.#options.rpcHook(request) : request;
  }

  /** The open connection to an address, if any (for tests and for server-pushed state). */
  async connection(address: string): Promise<Connection> {
    return this.#connect(address, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT);
  }

  closeConnection(address: string): void {
    const existing = this.#connections.get(address);
    this.#connections.delete(address);
    existing?.then((connection) => connection.close(), () => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(all.map((pending) => pending.then((connection) => connection.close(), () => undefined)));
  }

  #connect(address: string, timeoutMs: number): Promise<Connection> {
    if (this.#closed) return Promise.reject(new BrokerError('BROKER_ERR_CLOSED', 'remoting client is closed'));
    const existing = this.#connections.get(address);
    if (existing) return existing;
    const opening = this.#open(address, Math.min(timeoutMs, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT));
    this.#connections.set(address, opening);
    opening.catch(() => {
      if (this.#connections.get(address) === opening) this.#connections.delete(address);
    });
    return opening;
  }

  #open(address: string, timeoutMs: number): Promise<Connection> {
    let target: { host: string; port: number };
    try {
      target = parseAddress(address);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Connection>((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BrokerError('BROKER_ERR_CONNECT', `connect to ${address} timed out after ${timeoutMs} ms`, { retriable: true }));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new BrokerError('BROKER_ERR_CONNECT', `connect to ${address} failed: ${errorMessage(err)}`, { retriable: true, cause: err }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const connection = new Connection(socket, {
          id: `client-${address}`,
          logger: this.#logger,
          processors: this.#processors,
          inflightRequestsMax: this.#options.inflightRequestsMax ?? INFLIGHT_REQUESTS_MAX,
          nextOpaque: () => (this.#opaque = (this.#opaque + 1) | 0),
          onClose: (closed) => {
            const current = this.#connections.get(address);
            if (current) void current.then((c) => c === closed && this.#connections.get(address) === current && this.#connections.delete(address), () => undefined);
            if (!this.#closed) this.#options.onConnectionClosed?.(address);
          },
        });
        resolve(connection);
      });
    });
  }
}
