/**
 * The accept loop: one processor table by request code, shared by every port the server listens on
 * (the broker listens on 10911 and on the "fast" port 10909 with the same table).
 */
import net from 'node:net';
import { Connection, type PartialFrameBudget, type RemotingConnection, type RequestProcessor } from './connection';
import { silentLogger, type Logger } from '../util/logger';
import { FRAME_BYTES_MAX, SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT, SERVER_PARTIAL_FRAME_BYTES_MAX } from '../config/limits';

export type { RemotingConnection, RequestProcessor } from './connection';

export interface RemotingServerOptions {
  name: string;
  host?: string;
  logger?: Logger;
  frameBytesMax?: number;
  /** Close a connection idle (no read, no write) this long; 0 disables. Default SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT. */
  channelMaxIdleMs?: number;
  /** Bytes of incomplete frames all connections may hold together (default SERVER_PARTIAL_FRAME_BYTES_MAX). */
  partialFrameBytesMax?: number;
}

export class RemotingServer {
  readonly #options: RemotingServerOptions;
  readonly #logger: Logger;
  readonly #processors = new Map<number, RequestProcessor>();
  readonly #servers: net.Server[] = [];
  readonly #connections = new Set<Connection>();
  readonly #closeListeners: ((connection: RemotingConnection) => void)[] = [];
  #nextConnectionId = 1;
  readonly #partialFrameBudget: PartialFrameBudget;
  #opaque = 0;

  constructor(options: RemotingServerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#partialFrameBudget = { used: 0, max: options.partialFrameBytesMax ?? SERVER_PARTIAL_FRAME_BYTES_MAX };
  }

  /** Bytes of incomplete frames held by all connections now. */
  get partialFrameBytes(): number {
    return this.#partialFrameBudget.used;
  }

  registerProcessor(code: number, processor: RequestProcessor): void {
    this.#processors.set(code, processor);
  }

  onConnectionClose(listener: (connection: RemotingConnection) => void): void {
    this.#closeListeners.push(listener);
  }

  /** Listens on a port (0 = ephemeral); may be called for several ports. Resolves with the bound port. */
  listen(port: number, host = this.#options.host ?? '0.0.0.0'): Promise<number> {
    const server = net.createServer((socket) => this.#accept(socket));
    return new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.#logger.error('server socket error', { error: err.message }));
        this.#servers.push(server);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  connections(): RemotingConnection[] {
    return [...this.#connections];
  }

  async close(): Promise<void> {
    const closing = this.#servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const connection of this.#connections) connection.close();
    await Promise.all(closing);
  }

  #accept(socket: net.Socket): void {
    const connection = new Connection(socket, {
      id: `${this.#options.name}-${this.#nextConnectionId++}`,
      logger: this.#logger,
      processors: this.#processors,
      frameBytesMax: this.#options.frameBytesMax ?? FRAME_BYTES_MAX,
      partialFrameBudget: this.#partialFrameBudget,
      nextOpaque: () => (this.#opaque = (this.#opaque + 1) | 0),
      onClose: (closed) => {
        this.#connections.delete(closed);
        for (const listener of this.#closeListeners) {
          try {
            listener(closed);
          } catch (err) {
            this.#logger.error('connection close listener failed', { error: String(err) });
          }
        }
      },
    });
    this.#connections.add(connection);
    const idleMs = this.#options.channelMaxIdleMs ?? SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT;
    if (idleMs > 0) {
      // Node's socket timeout fires after idleMs without any read or write: Netty's ALL_IDLE event.
      socket.setTimeout(idleMs);
      socket.on('timeout', () => {
        this.#logger.info('closing an idle connection', { connection: connection.id, peer: connection.remoteAddress, idleMs });
        connection.close();
      });
    }
    this.#logger.debug('connection accepted', { connection: connection.id, peer: connection.remoteAddress });
  }
}
