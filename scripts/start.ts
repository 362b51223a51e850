/**
 * `npm start`: one Node.js process with the NameServer (:9876), the Broker (:10911, fast port :10909)
 * and the console (:8899). Builds the console first when its build is missing or older than its sources.
 * SIGINT/SIGTERM shut everything down cleanly (flush, unregister, close sockets) within 5 s.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadRuntimeConfig, type RuntimeConfig } from '../broker-core/runtime/env-config';
import { ensurePortFree, PortInUseError } from '../broker-core/runtime/ports';
import { startEmbedded, type EmbeddedCluster } from '../broker-core/runtime/embedded';
import { createLogger } from '../broker-core/util/logger';
import { withAuditRecorder } from '../lib/server/audit/recorder';
import { authMode, authRequired, describeAuth } from '../lib/server/security/config';
import { ensureBootstrapAdmin } from '../lib/server/security/users';
import { ConsoleBuildError, placeholderHandler, runConsoleBuild, type ConsoleBuild } from './console-build';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHUTDOWN_DEADLINE_MS = 5_000;
const CONSOLE_SOURCES = ['app', 'components', 'lib', 'broker-core', 'next.config.ts', 'postcss.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtimeMs(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, name)));
  }
  return newest;
}

function consoleBuildIsStale(): boolean {
  const buildId = path.join(ROOT, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  return CONSOLE_SOURCES.some((entry) => newestMtimeMs(path.join(ROOT, entry)) > builtAt);
}

/** A path Next cannot decode (a lone "%", "%E0%A4%A") is refused here: Next answers it with a bare 500. */
function brokenPercentEncoding(url: string | undefined): boolean {
  try {
    decodeURIComponent((url ?? '/').split('?')[0]!);
    return false;
  } catch {
    return true;
  }
}

function answerBrokenPath(req: http.IncomingMessage, res: http.ServerResponse): void {
  const message = 'The address has a broken %-escape: every % must be followed by two hexadecimal digits of valid UTF-8';
  if ((req.url ?? '').startsWith('/api/')) {
    res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: { code: 'invalid_input', message, fields: { path: message } } }));
  } else {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${message}\n`);
  }
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The console port, bound at once; what answers on it is swapped when Next is ready (the placeholder before). */
async function listenConsole(config: RuntimeConfig, initial: Handler): Promise<{ server: http.Server; use(handler: Handler): void }> {
  let current = initial;
  const server = http.createServer((req, res) => {
    if (brokenPercentEncoding(req.url)) return answerBrokenPath(req, res);
    current(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(config.consolePort, 'PORT') : err),
    );
    server.listen(config.consolePort, config.consoleHost, () => resolve());
  });
  return { server, use: (handler) => void (current = handler) };
}

/** Next's request handler, behind the audit recorder. */
async function nextHandler(config: RuntimeConfig, dev: boolean): Promise<Handler> {
  const nextModule = (await import('next')) as unknown as { default?: unknown };
  const createNext = (nextModule.default ?? nextModule) as (options: Record<string, unknown>) => {
    prepare(): Promise<void>;
    getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
    close?(): Promise<void>;
  };
  const app = createNext({ dev, dir: ROOT, hostname: config.consoleHost, port: config.consolePort });
  await app.prepare();
  // Every write through the console is appended to the audit log (lib/server/audit).
  const handle = withAuditRecorder(app.getRequestHandler());
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`console request failed: ${String(err)}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_server_error', message: 'internal error' } }));
    });
  };
}

function banner(config: RuntimeConfig, cluster: EmbeddedCluster | null, consolePort: number): string {
  const consoleHost = config.consoleHost === '0.0.0.0' ? 'localhost' : config.consoleHost;
  const lines = ['', 'Rocketdeck is up'];
  if (cluster) {
    const fast = config.brokerFastPort === null ? '' : ` (fast port ${config.brokerFastPort})`;
    lines.push(
      `  NameServer  0.0.0.0:${cluster.namesrv.port}    point clients at NAMESRV_ADDR=127.0.0.1:${cluster.namesrv.port}`,
      `  Broker      ${config.brokerIP1}:${cluster.broker.port}${fast}  ${config.brokerName} in ${config.brokerClusterName}, ${config.flushDiskType}`,
      cluster.grpc
        ? `  gRPC        ${config.brokerIP1}:${cluster.grpc.port}    RocketMQ 5.x clients (endpoints=${config.brokerIP1}:${cluster.grpc.port}${cluster.grpc.tls ? ', TLS' : ''})`
        : '  gRPC        off (GRPC_PORT=off)',
    );
  } else {
    lines.push(`  Cluster     remote NameServers ${config.consoleNamesrvAddr.join(';')} (nothing embedded; ROCKETDECK_EMBEDDED=1 to add one)`);
  }
  if (cluster && config.aclEnable) lines.push(`  ACL         on: ${config.aclFile} (reloaded when it changes)`);
  lines.push(`  Console     http://${consoleHost}:${consolePort}    ${describeAuth()}`, `  Data        ${config.home}`, '  Stop with Ctrl+C.', '');
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const config = loadRuntimeConfig();
  const dev = process.env.ROCKETDECK_DEV === '1';
  fs.mkdirSync(config.home, { recursive: true });
  process.env.ROCKETDECK_HOME = config.home;
  // The console reads the NameServer list from here (and may switch per browser session on the OPS page).
  process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR = config.consoleNamesrvAddr.join(';');
  // The proxy decides from the bind address whether sign-in is required (ROCKETDECK_CONSOLE_AUTH=auto).
  process.env.ROCKETDECK_CONSOLE_HOST = config.consoleHost;
  try {
    authMode();
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const bootstrapFile = authRequired() ? await ensureBootstrapAdmin() : null;
  await ensurePortFree(config.consolePort, 'PORT', config.consoleHost);

  const logger = createLogger('rocketdeck');
  if (config.embedded && config.aclEnable && !(process.env.ROCKETDECK_CONSOLE_ACCESS_KEY && process.env.ROCKETDECK_CONSOLE_SECRET_KEY)) {
    logger.warn('ACL_ENABLE is on but ROCKETDECK_CONSOLE_ACCESS_KEY / ROCKETDECK_CONSOLE_SECRET_KEY are not set: the console\'s requests will be refused (NO_PERMISSION)');
  }
  const cluster = config.embedded ? await startEmbedded(config, logger) : null;

  let server: http.Server | null = null;
  let build: ConsoleBuild | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal} received: shutting down ...\n`);
    const deadline = setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms: exiting\n`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    build?.kill();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (cluster) await cluster.stop();
    process.stdout.write('Rocketdeck stopped cleanly.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    if (!dev && consoleBuildIsStale()) {
      // The broker answers already; the console port answers at once with a page saying it is being built.
      const consoleHost = config.consoleHost === '0.0.0.0' ? 'localhost' : config.consoleHost;
      const services = cluster
        ? [`NameServer on port ${cluster.namesrv.port}`, `Broker on port ${cluster.broker.port} (${config.brokerName})`]
        : [`the console's cluster: NameServers ${config.consoleNamesrvAddr.join(';')}`];
      build = runConsoleBuild({
        command: process.execPath,
        args: [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'],
        cwd: ROOT,
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
        out: process.stdout,
      });
      const listening = await listenConsole(config, placeholderHandler(build.progress, services, ROOT));
      server = listening.server;
      process.stdout.write(
        `Building the console (first start, or sources changed): a few minutes. Meanwhile:\n` +
          (cluster ? `  NameServer  0.0.0.0:${cluster.namesrv.port} and Broker ${config.brokerIP1}:${cluster.broker.port} answer clients now\n` : '') +
          `  http://${consoleHost}:${config.consolePort} shows the build's progress and becomes the console when it is done\n`,
      );
      await build.finished;
      build = null;
      listening.use(await nextHandler(config, dev));
    } else {
      const handler = await nextHandler(config, dev);
      server = (await listenConsole(config, handler)).server;
    }
  } catch (err) {
    server?.closeAllConnections();
    server?.close();
    if (cluster) await cluster.stop();
    throw err;
  }
  process.stdout.write(banner(config, cluster, config.consolePort));
  if (bootstrapFile) {
    process.stdout.write(`First sign-in: user "admin" with the one-time password in ${bootstrapFile}\n  (the console asks for a new one at once). More users: npx rocketdeck user add <name> --role read-only\n\n`);
  }
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof PortInUseError || err instanceof ConsoleBuildError || (err as { code?: string }).code === 'BROKER_ERR_ACL_CONFIG';
  process.stderr.write(`rocketdeck: ${known ? (err as Error).message : err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
