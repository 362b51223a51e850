/** The real ali-ons 3.12.0 client (a devDependency, CommonJS), typed as far as the tests use it. */
import { createRequire } from 'node:module';

export interface OnsClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: string, listener: (err: Error) => void): void;
}

export interface OnsMessage {
  msgId: string;
  tags: string;
  body: Buffer;
  queueId?: number;
  queueOffset?: number;
}

export interface OnsModule {
  Producer: new (options: Record<string, unknown>) => OnsClient & { send(msg: unknown): Promise<{ sendStatus: string; msgId: string }> };
  Consumer: new (options: Record<string, unknown>) => OnsClient & { subscribe(topic: string, expression: string, handler: (msg: OnsMessage) => Promise<void>): void };
  Message: new (topic: string, tags: string, body: string) => unknown;
}

const require = createRequire(import.meta.url);
export const ons = require('ali-ons') as OnsModule;

/** ali-ons logs through this when given it; the tests keep it quiet. */
export const quietOnsLogger = { info() {}, warn() {}, error() {}, debug() {} };
