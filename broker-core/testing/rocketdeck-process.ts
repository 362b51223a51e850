/**
 * Test helper: `rocketdeck <command>` as a child process (scripts/rocketdeck.mjs, the package's bin), with its
 * output collected, a wait for a line it prints, and a record of every child so a test file can kill what is
 * left. Also a free loopback port for servers that must keep their address across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for';

export const ROCKETDECK_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'rocketdeck.mjs');

/** Generous: tsx compiles the entry on the first start, and the machine may be busy. */
const PROCESS_READY_TIMEOUT_MS = 45_000;

export interface RocketdeckProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once `text` was printed (stdout or stderr); rejects with the output so far otherwise. */
  ready(text: string): Promise<unknown>;
  exited: Promise<number | null>;
  /** Sends the signal and waits for the exit (SIGKILL for a crash, SIGTERM for a clean stop). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

const started: ChildProcess[] = [];

export function spawnRocketdeck(args: string[], env: Record<string, string>): RocketdeckProcess {
  const child = spawn(process.execPath, [ROCKETDECK_BIN, ...args], {
    // No gRPC endpoint unless a test asks for one (GRPC_PORT): its default port 8081 is shared by everyone on the machine.
    env: { ...process.env, NAMESRV_ADDR: '', ROCKETDECK_LOG_LEVEL: 'warn', GRPC_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    ready: (text) =>
      waitFor(() => {
        if (out.includes(text)) return true;
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
        return false;
      }, { timeoutMs: PROCESS_READY_TIMEOUT_MS, message: () => `rocketdeck ${args.join(' ')}: "${text}" not printed; output:\n${out}` }),
    exited,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** SIGKILLs every child spawned by this file that is still running (for afterAll). */
export function killAllRocketdeckProcesses(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
