/**
 * Test entry: a NameServer and a Broker (the real controllers and the file store) in ONE child process, so that
 * a test can attack them over TCP and still ask for the process's memory.
 *   node --expose-gc --import tsx cluster-process.ts <storeDir> '<broker config JSON>' ['<namesrv options JSON>']
 * Prints `ready {"namesrvPort":…,"brokerPort":…,"pid":…}` once both listen. Over the IPC channel it answers
 * {type:'memory'} with process.memoryUsage() after a full GC, and {type:'stop'} with a clean shutdown.
 * Use startClusterProcess() rather than spawning it by hand.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerController, type BrokerConfig } from '../broker/broker-controller';
import { NamesrvController, type NamesrvOptions } from '../namesrv/namesrv-controller';
import { createLogger } from '../util/logger';
import { waitFor } from './wait-for';

export interface ClusterProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface ClusterProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly namesrvAddr: string;
  readonly brokerAddr: string;
  /** stdout + stderr so far (the tail). */
  output(): string;
  /** Memory after a full garbage collection in the child. */
  memory(): Promise<ClusterProcessMemory>;
  /** True while the process runs. */
  alive(): boolean;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const SELF = fileURLToPath(import.meta.url);
const OUTPUT_CHARS_MAX = 256 * 1024;

/** Forks this file as a child process and waits for its ready line. */
export async function startClusterProcess(
  storePathRootDir: string,
  broker: Partial<BrokerConfig> = {},
  namesrv: Partial<NamesrvOptions> = {},
  env: Record<string, string> = {},
): Promise<ClusterProcess> {
  const child = fork(SELF, [storePathRootDir, JSON.stringify(broker), JSON.stringify(namesrv)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ROCKETDECK_LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > OUTPUT_CHARS_MAX) out = out.slice(-OUTPUT_CHARS_MAX);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve((exit = { code, signal }))),
  );
  const readyLine = await waitFor(
    () => {
      if (exit) throw new Error(`cluster process exited (${exit.signal ?? exit.code}) before it was ready:\n${out.slice(-4000)}`);
      return /^ready (.*)$/m.exec(out)?.[1];
    },
    { timeoutMs: 30_000, message: () => `cluster process not ready; output:\n${out.slice(-4000)}` },
  );
  const ports = JSON.parse(readyLine) as { namesrvPort: number; brokerPort: number };
  let nextId = 1;
  const waiting = new Map<number, (value: ClusterProcessMemory) => void>();
  child.on('message', (message: { id: number; memory: ClusterProcessMemory }) => waiting.get(message.id)?.(message.memory));
  return {
    child,
    pid: child.pid!,
    namesrvAddr: `127.0.0.1:${ports.namesrvPort}`,
    brokerAddr: `127.0.0.1:${ports.brokerPort}`,
    output: () => out,
    alive: () => exit === null,
    memory: () =>
      new Promise<ClusterProcessMemory>((resolve, reject) => {
        if (exit) return reject(new Error(`cluster process is gone (${exit.signal ?? exit.code})`));
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error('cluster process did not report its memory')), 30_000);
        waiting.set(id, (memory) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(memory);
        });
        child.send({ type: 'memory', id });
      }),
    async stop() {
      if (!exit) {
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

async function main(): Promise<void> {
  const [storePathRootDir, brokerJson, namesrvJson] = process.argv.slice(2);
  if (!storePathRootDir) throw new Error('usage: cluster-process.ts <storeDir> [broker config JSON] [namesrv options JSON]');
  const logger = createLogger('cluster');
  const namesrv = new NamesrvController({ port: 0, host: '127.0.0.1', logger: logger.child('namesrv'), ...(JSON.parse(namesrvJson || '{}') as Partial<NamesrvOptions>) });
  await namesrv.start();
  const broker = new BrokerController(
    {
      listenPort: 0,
      fastListenPort: null,
      brokerIP1: '127.0.0.1',
      ...(JSON.parse(brokerJson || '{}') as Partial<BrokerConfig>),
      namesrvAddr: [`127.0.0.1:${namesrv.port}`],
      storePathRootDir: path.resolve(storePathRootDir),
    },
    { logger: logger.child('broker') },
  );
  await broker.start();
  process.on('message', (message: { type: string; id?: number }) => {
    if (message.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      process.send!({ id: message.id, memory: { rss, heapUsed, heapTotal, external, arrayBuffers } });
    } else if (message.type === 'stop') {
      void Promise.allSettled([broker.shutdown()]).then(() => namesrv.shutdown()).then(() => process.exit(0));
    }
  });
  process.stdout.write(`ready ${JSON.stringify({ namesrvPort: namesrv.port, brokerPort: broker.port, pid: process.pid })}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  main().catch((err: unknown) => {
    process.stderr.write(`cluster process failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
