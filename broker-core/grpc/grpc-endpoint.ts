/**
 * The gRPC endpoint for RocketMQ 5.x clients (apache.rocketmq.v2.MessagingService): HTTP/2 in plaintext, or
 * TLS with a certificate and key. It runs beside a broker (`npm start`, `rocketdeck broker`: that broker is
 * served in process, the rest of the cluster over TCP) or alone in front of a cluster (`rocketdeck proxy`).
 * Stopping it ends every client session (clients are unregistered from their brokers) and closes the port.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { SessionCredentials } from '../acl/acl-signer';
import type { BrokerAcl } from '../acl/broker-acl';
import type { BrokerController } from '../broker/broker-controller';
import { GRPC_BROKER_REQUEST_TIMEOUT_MS, GRPC_INBOUND_MESSAGE_BYTES_MAX, MESSAGE_BODY_BYTES_MAX } from '../config/limits';
import type { Logger } from '../util/logger';
import { BrokerGateway } from './broker-gateway';
import type { Endpoints } from './grpc-types';
import { grpcAuthorizer } from './grpc-auth';
import { MessagingService } from './messaging-service';
import { messagingServiceDefinition } from './proto';

export interface GrpcTlsFiles {
  certFile: string;
  keyFile: string;
}

export interface GrpcEndpointOptions {
  /** Listen port; 0 picks a free one. */
  port: number;
  /** Bind address (default 0.0.0.0). */
  host?: string;
  /** The address routes name when a client's request carries none (brokerIP1). */
  advertisedHost: string;
  tls?: GrpcTlsFiles | null;
  namesrvAddr: string[];
  /** The broker of this process (served in process); absent for `rocketdeck proxy`. */
  localBroker?: BrokerController;
  /** maxBodySize told to clients; default the local broker's maxMessageSize, else 4 MiB. */
  maxBodySizeBytes?: number;
  /** validateMessageType told to clients and enforced on sends (default true, as the Proxy's enableTopicMessageTypeCheck). */
  validateMessageType?: boolean;
  /** Account for requests to brokers over TCP (brokers with aclEnable). */
  credentials?: SessionCredentials;
  /** Check calls against this plain ACL (the local broker's when it has aclEnable, the proxy's own with ACL_ENABLE). */
  acl?: BrokerAcl | null;
  logger: Logger;
}

export class GrpcEndpoint {
  readonly #options: GrpcEndpointOptions;
  readonly #server: grpc.Server;
  readonly gateway: BrokerGateway;
  readonly service: MessagingService;
  #port = 0;
  #started = false;

  constructor(options: GrpcEndpointOptions) {
    this.#options = options;
    this.gateway = new BrokerGateway({
      namesrvAddr: options.namesrvAddr,
      ...(options.localBroker ? { localBroker: options.localBroker } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      logger: options.logger.child('gateway'),
      requestTimeoutMs: GRPC_BROKER_REQUEST_TIMEOUT_MS,
    });
    this.service = new MessagingService({
      gateway: this.gateway,
      logger: options.logger,
      maxBodySizeBytes: options.maxBodySizeBytes ?? options.localBroker?.config.maxMessageSizeBytes ?? MESSAGE_BODY_BYTES_MAX,
      validateMessageType: options.validateMessageType ?? true,
      advertisedEndpoint: () => this.advertisedEndpoint,
      ...(options.acl ? { authorize: grpcAuthorizer(options.acl) } : {}),
    });
    this.#server = new grpc.Server({
      'grpc.max_receive_message_length': GRPC_INBOUND_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': GRPC_INBOUND_MESSAGE_BYTES_MAX,
      // Clients keep idle channels open between heartbeats (10 s); let their keepalive pings through.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    this.#server.addService(messagingServiceDefinition(), this.service.handlers());
  }

  /** The bound port (after start). */
  get port(): number {
    return this.#port;
  }

  get tls(): boolean {
    return !!this.#options.tls;
  }

  get advertisedEndpoint(): Endpoints {
    const host = this.#options.advertisedHost;
    return { scheme: host.includes(':') ? 'IPv6' : /^[\d.]+$/.test(host) ? 'IPv4' : 'DOMAIN_NAME', addresses: [{ host, port: this.#port }] };
  }

  #credentials(): grpc.ServerCredentials {
    const tls = this.#options.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    const read = (file: string, what: string) => {
      try {
        return fs.readFileSync(file);
      } catch (err) {
        throw new Error(`cannot read the gRPC TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    };
    return grpc.ServerCredentials.createSsl(null, [{ cert_chain: read(tls.certFile, 'certificate (GRPC_TLS_CERT)'), private_key: read(tls.keyFile, 'key (GRPC_TLS_KEY)') }], false);
  }

  async start(): Promise<number> {
    const credentials = this.#credentials();
    const host = this.#options.host ?? '0.0.0.0';
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(`${host}:${this.#options.port}`, credentials, (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.service.start();
    this.#started = true;
    this.#options.logger.info('gRPC endpoint started', { port: this.#port, tls: this.tls, broker: this.#options.localBroker?.config.brokerName ?? null, namesrvAddr: this.#options.namesrvAddr.join(';') });
    return this.#port;
  }

  /** Ends client sessions (unregistering them from brokers) and closes the port; open calls are cut after 2 s. */
  async shutdown(): Promise<void> {
    if (!this.#started) {
      this.#server.forceShutdown();
      await this.gateway.close();
      return;
    }
    this.#started = false;
    await this.service.shutdown();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2_000);
      force.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await this.gateway.close();
    this.#options.logger.info('gRPC endpoint stopped', { port: this.#port });
  }
}
