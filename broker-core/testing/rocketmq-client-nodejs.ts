/**
 * The real RocketMQ 5.x Node.js client, rocketmq-client-nodejs 1.0.8 from npm (unmodified, CommonJS), typed as
 * far as the tests and the benchmark use it, with a logger that keeps it quiet (its default writes to
 * ~/logs/rocketmq). Also a raw MessagingService client for requests the real client never sends.
 */
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { messagingServiceClient } from '../grpc/proto';

const require = createRequire(import.meta.url);

export interface NodeClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

export interface NodeClientOptions {
  endpoints: string;
  namespace?: string;
  sslEnabled?: boolean;
  requestTimeout?: number;
  sessionCredentials?: { accessKey: string; accessSecret: string; securityToken?: string };
  logger?: NodeClientLogger;
}

export interface NodeMessageOptions {
  topic: string;
  body: Buffer;
  tag?: string;
  keys?: string[];
  messageGroup?: string;
  properties?: Map<string, string>;
  delay?: number;
  deliveryTimestamp?: Date;
}

export interface NodeSendReceipt {
  messageId: string;
  transactionId: string;
  offset: number;
}

export interface NodeMessageView {
  messageId: string;
  topic: string;
  body: Buffer;
  tag?: string;
  keys: string[];
  messageGroup?: string;
  properties: Map<string, string>;
  deliveryAttempt?: number;
  deliveryTimestamp?: Date;
  bornHost: string;
  bornTimestamp: Date;
  corrupted: boolean;
}

export interface NodeTransaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface NodeProducer {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  send(message: NodeMessageOptions, transaction?: NodeTransaction): Promise<NodeSendReceipt>;
  beginTransaction(): NodeTransaction;
}

export interface NodeFilterExpression {
  readonly expression: string;
}

export interface NodeSimpleConsumer {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  receive(maxMessageNum?: number, invisibleDuration?: number): Promise<NodeMessageView[]>;
  ack(message: NodeMessageView): Promise<void>;
  changeInvisibleDuration(message: NodeMessageView, invisibleDuration: number): Promise<void>;
}

export interface NodePushConsumer {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface NodeClientModule {
  Producer: new (options: NodeClientOptions & { topic?: string | string[]; topics?: string[]; maxAttempts?: number; checker?: { check(message: NodeMessageView): Promise<number> } }) => NodeProducer;
  SimpleConsumer: new (options: NodeClientOptions & { consumerGroup: string; subscriptions: Map<string, NodeFilterExpression | string>; awaitDuration?: number }) => NodeSimpleConsumer;
  PushConsumer: new (options: NodeClientOptions & { consumerGroup: string; subscriptions: Map<string, NodeFilterExpression | string>; messageListener: { consume(message: NodeMessageView): Promise<number> } }) => NodePushConsumer;
  FilterExpression: new (expression: string, type?: number) => NodeFilterExpression;
}

export const nodeClient = require('rocketmq-client-nodejs') as NodeClientModule;

/** apache.rocketmq.v2 enums as the client's generated code numbers them. */
export const TransactionResolution = { COMMIT: 1, ROLLBACK: 2 } as const;
export const FilterType = { TAG: 1, SQL: 2 } as const;
export const ConsumeResult = { SUCCESS: 0, FAILURE: 1 } as const;

/** Collects the client's warnings and errors (a test can show them on failure); prints nothing. */
export function quietNodeClientLogger(): NodeClientLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (...args: unknown[]) => void lines.push(`${level} ${args.map(String).join(' ')}`.slice(0, 500));
  return { lines, info() {}, debug() {}, warn: keep('WARN'), error: keep('ERROR') };
}

/** A raw apache.rocketmq.v2.MessagingService client, with the headers every 5.x client sends. */
export interface RawMessagingClient {
  call<T = Record<string, unknown>>(method: string, request: unknown, metadata?: Record<string, string>): Promise<T>;
  stream<T = Record<string, unknown>>(method: string, request: unknown, metadata?: Record<string, string>): Promise<T[]>;
  close(): void;
}

export function rawMessagingClient(address: string, clientId: string, credentials = grpc.credentials.createInsecure()): RawMessagingClient {
  const Client = messagingServiceClient();
  const client = new Client(address, credentials) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  const metadataOf = (extra: Record<string, string> = {}) => {
    const metadata = new grpc.Metadata();
    const headers: Record<string, string> = { 'x-mq-client-id': clientId, 'x-mq-language': 'JAVA', 'x-mq-client-version': '5.0.0', 'x-mq-protocol': 'v2', ...extra };
    for (const [key, value] of Object.entries(headers)) if (value !== '') metadata.set(key, value);
    return metadata;
  };
  return {
    call: (method, request, metadata) =>
      new Promise((resolve, reject) => {
        client[method]!(request, metadataOf(metadata), { deadline: Date.now() + 10_000 }, (err: Error | null, response: unknown) => (err ? reject(err) : resolve(response as never)));
      }),
    stream: async (method, request, metadata) => {
      const call = client[method]!(request, metadataOf(metadata), { deadline: Date.now() + 40_000 }) as AsyncIterable<unknown>;
      const out: never[] = [];
      for await (const item of call) out.push(item as never);
      return out;
    },
    close: () => client.close(),
  };
}
