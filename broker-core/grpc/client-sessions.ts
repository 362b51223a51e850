/**
 * The gRPC clients the endpoint knows, by client id (the `x-mq-client-id` header every call carries).
 * A session holds what the client said about itself (Settings from the Telemetry stream, language, version,
 * address), its open Telemetry stream (the way to push commands to it) and its BrokerLink. A session with no
 * call and no open Telemetry stream for GRPC_CLIENT_IDLE_MS is ended, as is one whose client says goodbye
 * (NotifyClientTermination); ending a session unregisters the client from the brokers.
 */
import type * as grpc from '@grpc/grpc-js';
import { GRPC_CLIENT_IDLE_MS, GRPC_CLIENTS_MAX } from '../config/limits';
import type { Logger } from '../util/logger';
import type { BrokerGateway, BrokerLink, BrokerRequestHandler } from './broker-gateway';
import type { ClientType, Language, Settings, TelemetryCommand } from './grpc-types';
import { GrpcStatusError } from './status';

/** RocketMQ LanguageCode names for the 5.x UA languages (LanguageCode has no DOT_NET, GOLANG). */
const LANGUAGE_CODES: Partial<Record<Language, string>> = {
  JAVA: 'JAVA', CPP: 'CPP', DOT_NET: 'DOTNET', GOLANG: 'GO', RUST: 'RUST', PYTHON: 'PYTHON', PHP: 'PHP', NODE_JS: 'NODE_JS', RUBY: 'RUBY',
};
const KNOWN_LANGUAGE_HEADERS = new Set(['JAVA', 'CPP', 'DOTNET', 'PYTHON', 'DELPHI', 'ERLANG', 'RUBY', 'OTHER', 'HTTP', 'GO', 'PHP', 'OMS', 'RUST', 'NODE_JS']);

export class ClientSession {
  readonly clientId: string;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** x-mq-language (the Node.js client says HTTP); the Settings' user agent is preferred once known. */
  languageHeader: string;
  /** x-mq-client-version, e.g. "1.0.8". */
  versionHeader: string;
  settings: Settings | null = null;
  /** When the current Settings arrived: the subscription version brokers see (stable between heartbeats). */
  settingsVersion = 0;
  telemetry: grpc.ServerDuplexStream<TelemetryCommand, TelemetryCommand> | null = null;
  lastSeenMs = Date.now();
  /** Brokers this client was registered with (by heartbeat), to unregister from at the end. */
  readonly registeredBrokers = new Set<string>();
  link!: BrokerLink;
  ended = false;

  constructor(clientId: string, remoteAddress: string, localAddress: string, languageHeader: string, versionHeader: string) {
    this.clientId = clientId;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
    this.languageHeader = languageHeader;
    this.versionHeader = versionHeader;
  }

  get clientType(): ClientType {
    return this.settings?.client_type ?? 'CLIENT_TYPE_UNSPECIFIED';
  }

  get isProducer(): boolean {
    return this.clientType === 'PRODUCER';
  }

  /** The RocketMQ LanguageCode name brokers record (NODE_JS, JAVA, GO, ...). */
  get language(): string {
    const fromAgent = this.settings?.user_agent?.language;
    if (fromAgent && LANGUAGE_CODES[fromAgent]) return LANGUAGE_CODES[fromAgent]!;
    const header = this.languageHeader.toUpperCase();
    return KNOWN_LANGUAGE_HEADERS.has(header) ? header : 'OTHER';
  }

  /** The client's own version text ("1.0.8", "5.0.7"). */
  get clientVersion(): string {
    return this.settings?.user_agent?.version || this.versionHeader;
  }

  /** Publishing topics (producer) or subscribed topics (consumer). */
  get topics(): string[] {
    const settings = this.settings;
    if (!settings) return [];
    if (settings.publishing) return settings.publishing.topics.map((t) => t.name).filter(Boolean);
    if (settings.subscription) return settings.subscription.subscriptions.map((s) => s.topic?.name ?? '').filter(Boolean);
    return [];
  }

  get consumerGroup(): string | undefined {
    return this.settings?.subscription?.group?.name || undefined;
  }

  /** Writes a command on the client's Telemetry stream; false when it has none open. */
  push(command: TelemetryCommand): boolean {
    const stream = this.telemetry;
    if (!stream || stream.cancelled || stream.writableEnded || stream.destroyed) return false;
    stream.write(command);
    return true;
  }
}

export interface ClientSessionsOptions {
  gateway: BrokerGateway;
  logger: Logger;
  /** Called when a session ends (idle, terminated, endpoint shutting down): unregister it from brokers. */
  onEnd: (session: ClientSession) => Promise<void>;
  /** Requests brokers send to a client. */
  onBrokerRequest: (session: ClientSession) => BrokerRequestHandler;
  idleMs?: number;
}

export class ClientSessions {
  readonly #options: ClientSessionsOptions;
  readonly #sessions = new Map<string, ClientSession>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ClientSessionsOptions) {
    this.#options = options;
  }

  start(): void {
    const idleMs = this.#options.idleMs ?? GRPC_CLIENT_IDLE_MS;
    this.#timer = setInterval(() => this.#expire(idleMs), Math.max(1_000, Math.min(10_000, idleMs / 4)));
    this.#timer.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(clientId: string): ClientSession | undefined {
    return this.#sessions.get(clientId);
  }

  all(): ClientSession[] {
    return [...this.#sessions.values()];
  }

  /** The session of a call's client, created on its first call. */
  touch(clientId: string, remoteAddress: string, localAddress: string, language: string, version: string): ClientSession {
    let session = this.#sessions.get(clientId);
    if (!session) {
      if (this.#sessions.size >= GRPC_CLIENTS_MAX) throw new GrpcStatusError('TOO_MANY_REQUESTS', `this endpoint serves ${GRPC_CLIENTS_MAX} clients at most`);
      session = new ClientSession(clientId, remoteAddress, localAddress, language, version);
      session.link = this.#options.gateway.link({ clientId, remoteAddress, localAddress }, this.#options.onBrokerRequest(session));
      this.#sessions.set(clientId, session);
    }
    session.lastSeenMs = Date.now();
    if (language) session.languageHeader = language;
    if (version) session.versionHeader = version;
    return session;
  }

  /** Ends a session now (the client said goodbye, or the endpoint stops). */
  async end(session: ClientSession): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    if (this.#sessions.get(session.clientId) === session) this.#sessions.delete(session.clientId);
    try {
      await this.#options.onEnd(session);
    } catch (err) {
      this.#options.logger.debug('ending a gRPC client session failed', { clientId: session.clientId, error: (err as Error).message });
    }
    await session.link.close();
  }

  #expire(idleMs: number): void {
    const deadline = Date.now() - idleMs;
    for (const session of this.#sessions.values()) {
      const telemetryOpen = session.telemetry !== null && !session.telemetry.cancelled && !session.telemetry.writableEnded;
      if (!telemetryOpen && session.lastSeenMs < deadline) {
        this.#options.logger.info('gRPC client silent for too long; session ended', { clientId: session.clientId, remoteAddress: session.remoteAddress });
        void this.end(session);
      }
    }
  }

  async shutdown(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.all().map((session) => this.end(session)));
  }
}
