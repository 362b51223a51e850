/**
 * The product's own server commands (`rocketdeck namesrv`, `rocketdeck broker -c broker.properties`) as child
 * processes, for tests and scripts that kill, freeze or measure a real server process: spawn, wait for a line,
 * read its output, RSS and open file descriptors from /proc, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROCKETDECK_BIN = path.join(REPO_ROOT, 'scripts', 'rocketdeck.mjs');
/** Output kept per process (the tail is what explains a failure). */
const OUTPUT_CHARS_MAX = 256 * 1024;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything printed so far (stdout and stderr interleaved, the last OUTPUT_CHARS_MAX characters). */
  output(): string;
  /** Resolves once `text` was printed; rejects with the output if the process exits first or time runs out. */
  printed(text: string | RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (clean stop), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnServerProcess(command: string, args: string[], env: Record<string, string | undefined> = {}): ServerProcess {
  const child = spawn(process.execPath, [command, ...args], {
    // No gRPC endpoint unless a test asks for one (GRPC_PORT): its default port 8081 is shared by everyone on the machine.
    env: { ...process.env, NAMESRV_ADDR: '', ROCKETDECK_LOG_LEVEL: 'info', GRPC_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > OUTPUT_CHARS_MAX) out = out.slice(out.length - OUTPUT_CHARS_MAX);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );
  const proc: ServerProcess = {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    async printed(text, timeoutMs = 30_000) {
      await waitFor(
        () => {
          if (typeof text === 'string' ? out.includes(text) : text.test(out)) return true;
          if (exitInfo) throw new Error(`exited (${exitInfo.signal ?? exitInfo.code}) before printing ${String(text)}`);
          return false;
        },
        { timeoutMs, intervalMs: 10, message: () => `${path.basename(command)} ${args.join(' ')} did not print ${String(text)}; output:\n${out.slice(-4000)}` },
      );
    },
    async kill() {
      if (!exitInfo) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 5_000) {
      if (exitInfo) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc;
}

/** `rocketdeck namesrv -p <port>`, resolved once it accepts connections. */
export async function startNamesrvProcess(port: number, home: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawnServerProcess(ROCKETDECK_BIN, ['namesrv', '-p', String(port)], { ROCKETDECK_HOME: home, ...env });
  await proc.printed('The Name Server boot success');
  return proc;
}

/** Writes `properties` as broker.properties under `dir` and spawns `rocketdeck broker -n … -c …` (not waiting for it). */
export function spawnBrokerProcess(
  namesrvAddr: string,
  dir: string,
  properties: Record<string, string | number | boolean>,
  env: Record<string, string> = {},
): ServerProcess {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'broker.properties');
  fs.writeFileSync(file, Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n') + '\n');
  return spawnServerProcess(ROCKETDECK_BIN, ['broker', '-n', namesrvAddr, '-c', file], { ROCKETDECK_HOME: dir, ...env });
}

export const BROKER_BOOT_SUCCESS = /The broker\[.*\] boot success/;

/** spawnBrokerProcess, resolved after "boot success" (the broker has registered with its NameServers). */
export async function startBrokerProcess(
  namesrvAddr: string,
  dir: string,
  properties: Record<string, string | number | boolean>,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const proc = spawnBrokerProcess(namesrvAddr, dir, properties, env);
  await proc.printed(BROKER_BOOT_SUCCESS);
  return proc;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port free now (the kernel's choice), for a server that is started right after. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A broker listen port whose "fast" port (listenPort − 2, as RocketMQ computes it) is free too. */
export async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port > 1026 && (await canListen(port)) && (await canListen(port - 2))) return port;
  }
  throw new Error('no free pair of ports (p, p-2) found for a broker');
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status), or null when it is gone. */
export function processRssBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd), or null when it is gone. */
export function processFdCount(pid: number): number | null {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** Open sockets of a process (fd links to socket:[…]), or null when it is gone: what a connection leak grows. */
export function processSocketCount(pid: number): number | null {
  try {
    let sockets = 0;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
      } catch {
        // closed while listing
      }
    }
    return sockets;
  } catch {
    return null;
  }
}
