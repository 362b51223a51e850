/**
 * `rocketdeck namesrv` and `rocketdeck broker`: the NameServer and the Broker as separate processes, like
 * RocketMQ's mqnamesrv and mqbroker. The broker reads RocketMQ's broker.properties (-c), takes -n like
 * mqbroker (else namesrvAddr from the file, else NAMESRV_ADDR), and stores under storePathRootDir (default
 * ROCKETDECK_HOME/store). Both stop cleanly on SIGINT/SIGTERM (the broker unregisters from its NameServers);
 * with aclEnable=true the broker checks requests against ROCKETDECK_HOME/conf/plain_acl.yml.
 * `-h` prints the usage; a wrong option or value prints one line saying what is wrong, the usage, and exits 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerAcl } from '../acl/broker-acl';
import { BrokerController } from '../broker/broker-controller';
import { startMetricsServer } from '../broker/metrics/metrics-server';
import { parseNamesrvList } from '../client/namesrv-list';
import type { GrpcEndpoint } from '../grpc/grpc-endpoint';
import { NamesrvController } from '../namesrv/namesrv-controller';
import { brokerConfigFromProperties, parseProperties } from '../runtime/broker-properties';
import { ConfigError, defaultBrokerIP1, loadGrpcConfig, plainAclFile } from '../runtime/env-config';
import { ensurePortFree } from '../runtime/ports';
import { createLogger } from '../util/logger';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

export const NAMESRV_USAGE = `usage: rocketdeck namesrv [-p port] [-c namesrv.properties]
  A NameServer alone (RocketMQ's mqnamesrv). Brokers register with it; clients ask it for routes.
  -p port                  listen port (default 9876; 0 picks a free one)
  -c namesrv.properties    RocketMQ namesrv properties; listenPort is read
  ROCKETDECK_HOME          keeps namesrv/kvConfig.json (default ./data)
`;

export const BROKER_USAGE = `usage: rocketdeck broker [-n host:port[;host:port]] [-c broker.properties]
  A Broker alone (RocketMQ's mqbroker), registering with every NameServer in the list.
  -n list                  NameServers (else namesrvAddr in the file, else NAMESRV_ADDR)
  -c broker.properties     RocketMQ broker.properties: brokerClusterName, brokerName, brokerId (0),
                           listenPort, brokerIP1, namesrvAddr, storePathRootDir, flushDiskType,
                           autoCreateTopicEnable, fileReservedTime, deleteWhen, ... (README lists every key)
  ROCKETDECK_HOME          store under ROCKETDECK_HOME/store unless storePathRootDir is set (default ./data)
  BROKER_FAST_PORT         the "fast" port for old Java clients (default listenPort - 2); "off" disables it
  METRICS_PORT             serve Prometheus metrics at http://METRICS_HOST:METRICS_PORT/metrics (unset: off)
  METRICS_HOST             the metrics server's bind address (default 0.0.0.0, like the broker port)
  GRPC_PORT                the gRPC endpoint for RocketMQ 5.x clients (default 8081); "off" disables it
  GRPC_TLS_CERT, GRPC_TLS_KEY   PEM certificate and key: the gRPC endpoint speaks TLS
`;

export const PROXY_USAGE = `usage: rocketdeck proxy [-n host:port[;host:port]]
  The gRPC endpoint alone (RocketMQ's Proxy in cluster mode): RocketMQ 5.x clients connect here; it finds
  brokers through the NameServers and talks to them over the remoting protocol.
  -n list                  NameServers (else NAMESRV_ADDR)
  GRPC_PORT                listen port (default 8081)
  GRPC_TLS_CERT, GRPC_TLS_KEY   PEM certificate and key: speak TLS
  BROKER_IP1               the address routes give clients that send none (default: first non-loopback IPv4)
  ACL_ENABLE               "true": check gRPC calls against ROCKETDECK_HOME/conf/plain_acl.yml
  ROCKETDECK_PROXY_ACCESS_KEY / ROCKETDECK_PROXY_SECRET_KEY   the ACL account it signs its broker requests with
`;

/** -h / --help anywhere in the arguments. */
export function wantsHelp(args: string[]): boolean {
  return args.includes('-h') || args.includes('--help');
}

function flags(args: string[], allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument "${arg}"`);
    if (!allowed.includes(arg.replace(/^-+/, ''))) throw new UsageError(`unknown option ${arg}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('-')) throw new UsageError(`option ${arg} needs a value`);
    out.set(arg.replace(/^-+/, ''), value);
    i++;
  }
  return out;
}

function home(env: Record<string, string | undefined>): string {
  return path.resolve(env.ROCKETDECK_HOME || 'data');
}

function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    const deadline = setTimeout(() => process.exit(1), 5_000);
    deadline.unref();
    void stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`${signal}: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

function readConfigFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** BROKER_FAST_PORT as `npm start` reads it: unset → listenPort - 2, "off" → none, else a port. */
function fastListenPort(env: Record<string, string | undefined>): number | null | undefined {
  const raw = env.BROKER_FAST_PORT?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw === 'off' || raw === 'none') return null;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`BROKER_FAST_PORT=${raw} is not a port (a whole number from 0 to 65535, or off)`);
  return Number(raw);
}

/** METRICS_PORT: unset or empty → no metrics server, else a port. */
function metricsPort(env: Record<string, string | undefined>): number | null {
  const raw = env.METRICS_PORT?.trim();
  if (!raw) return null;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`METRICS_PORT=${raw} is not a port (a whole number from 0 to 65535)`);
  return Number(raw);
}

/** `rocketdeck namesrv [-c namesrv.properties] [-p port]`; returns once listening (the process keeps running). */
export async function runNamesrv(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(NAMESRV_USAGE);
    return 0;
  }
  try {
    const f = flags(args, ['p', 'c']);
    let port = 9876;
    const isPort = (text: string) => /^\d{1,5}$/.test(text) && Number(text) <= 65535;
    let channelMaxIdleMs: number | undefined;
    if (f.has('c')) {
      const file = f.get('c')!;
      const props = parseProperties(readConfigFile(file));
      const listenPort = props.get('listenPort');
      if (listenPort && !isPort(listenPort.value)) throw new UsageError(`${file} line ${listenPort.line}: listenPort must be a whole number from 0 to 65535 (got "${listenPort.value}")`);
      if (listenPort) port = Number(listenPort.value);
      const idle = props.get('serverChannelMaxIdleTimeSeconds');
      if (idle) {
        if (!/^\d+$/.test(idle.value)) throw new UsageError(`${file} line ${idle.line}: serverChannelMaxIdleTimeSeconds must be a whole number (got "${idle.value}")`);
        channelMaxIdleMs = Number(idle.value) * 1000;
      }
    }
    if (f.has('p')) {
      if (!isPort(f.get('p')!)) throw new UsageError(`the port must be a whole number from 0 to 65535 (got "${f.get('p')}")`);
      port = Number(f.get('p'));
    }
    const namesrv = new NamesrvController({ port, logger: createLogger('namesrv'), kvConfigPath: path.join(home(io.env), 'namesrv', 'kvConfig.json'), channelMaxIdleMs });
    await namesrv.start();
    io.stdout.write(`The Name Server boot success. listening on 0.0.0.0:${namesrv.port}\n`);
    onStop(() => namesrv.shutdown());
    return -1;
  } catch (err) {
    io.stderr.write(`rocketdeck namesrv: ${err instanceof Error ? err.message : String(err)}\n${NAMESRV_USAGE}`);
    return 1;
  }
}

/** `rocketdeck broker [-n host:port[;host:port]] [-c broker.properties]`. */
export async function runBroker(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(BROKER_USAGE);
    return 0;
  }
  try {
    const f = flags(args, ['n', 'c']);
    let fromFile: ReturnType<typeof brokerConfigFromProperties> = { config: {}, ignored: [] };
    if (f.has('c')) {
      const file = f.get('c')!;
      fromFile = brokerConfigFromProperties(readConfigFile(file), file);
      if (fromFile.ignored.length > 0) io.stderr.write(`rocketdeck broker: ${file}: not used by Rocketdeck: ${fromFile.ignored.join(', ')}\n`);
    }
    const listText = f.get('n') ?? (fromFile.config.namesrvAddr?.join(';') || io.env.NAMESRV_ADDR);
    if (!listText) throw new UsageError('no NameServer address: give -n host:port, namesrvAddr in broker.properties, or NAMESRV_ADDR');
    const list = parseNamesrvList(listText);
    if (!list.ok) throw new UsageError(list.error);
    const storePathRootDir = path.resolve(fromFile.config.storePathRootDir ?? path.join(home(io.env), 'store'));
    fs.mkdirSync(storePathRootDir, { recursive: true });
    const fast = fastListenPort(io.env);
    const metricsListenPort = metricsPort(io.env);
    const broker = new BrokerController(
      { aclFile: plainAclFile(home(io.env)), ...fromFile.config, ...(fast === undefined ? {} : { fastListenPort: fast }), namesrvAddr: list.list, storePathRootDir },
      { logger: createLogger('broker') },
    );
    const grpcConfig = loadGrpcConfig(io.env);
    if (grpcConfig) await ensurePortFree(grpcConfig.port, 'GRPC_PORT');
    await broker.start();
    let grpc: GrpcEndpoint | null = null;
    if (grpcConfig) {
      // Loaded only when on: @grpc/grpc-js and the .proto files cost a second or two of start-up.
      const { GrpcEndpoint } = await import('../grpc/grpc-endpoint');
      grpc = new GrpcEndpoint({ port: grpcConfig.port, tls: grpcConfig.tls, advertisedHost: broker.config.brokerIP1, namesrvAddr: list.list, localBroker: broker, acl: broker.acl, logger: createLogger('grpc') });
      try {
        await grpc.start();
      } catch (err) {
        await grpc.shutdown();
        await broker.shutdown();
        throw err;
      }
    }
    const grpcText = grpc ? `, gRPC ${broker.config.brokerIP1}:${grpc.port}${grpc.tls ? ' (TLS)' : ''}` : '';
    io.stdout.write(`The broker[${broker.config.brokerName}, ${broker.brokerAddr}] boot success. name server is ${list.list.join(';')}, store ${storePathRootDir}${grpcText}\n`);
    let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
    if (metricsListenPort !== null) {
      const host = io.env.METRICS_HOST?.trim() || '0.0.0.0';
      try {
        metricsServer = await startMetricsServer(broker.metrics, metricsListenPort, host, createLogger('metrics'));
      } catch (err) {
        await grpc?.shutdown();
        await broker.shutdown();
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'EADDRINUSE' ? `port ${metricsListenPort} is already in use: set METRICS_PORT to a free port` : `the metrics server could not start: ${(err as Error).message}`);
      }
      io.stdout.write(`Prometheus metrics at http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${metricsServer.port}/metrics\n`);
    }
    onStop(async () => {
      await metricsServer?.close();
      await grpc?.shutdown();
      await broker.shutdown();
    });
    return -1;
  } catch (err) {
    const usage = err instanceof UsageError ? `\n${BROKER_USAGE}` : '\n';
    io.stderr.write(`rocketdeck broker: ${err instanceof Error ? err.message : String(err)}${usage}`);
    return 1;
  }
}

/** `rocketdeck proxy [-n host:port[;host:port]]`: the gRPC endpoint in front of a cluster, nothing else. */
export async function runProxy(args: string[], io: Io): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(PROXY_USAGE);
    return 0;
  }
  try {
    const f = flags(args, ['n']);
    const listText = f.get('n') ?? io.env.NAMESRV_ADDR;
    if (!listText) throw new UsageError('no NameServer address: give -n host:port or NAMESRV_ADDR');
    const list = parseNamesrvList(listText);
    if (!list.ok) throw new UsageError(list.error);
    const grpcConfig = loadGrpcConfig(io.env);
    if (!grpcConfig) throw new UsageError('GRPC_PORT=off leaves the proxy nothing to do');
    await ensurePortFree(grpcConfig.port, 'GRPC_PORT');
    const accessKey = io.env.ROCKETDECK_PROXY_ACCESS_KEY?.trim();
    const secretKey = io.env.ROCKETDECK_PROXY_SECRET_KEY?.trim();
    if (!!accessKey !== !!secretKey) throw new UsageError('ROCKETDECK_PROXY_ACCESS_KEY and ROCKETDECK_PROXY_SECRET_KEY go together');
    const advertisedHost = io.env.BROKER_IP1?.trim() || defaultBrokerIP1();
    const logger = createLogger('proxy');
    const aclEnable = ['1', 'true', 'yes', 'on'].includes(io.env.ACL_ENABLE?.trim().toLowerCase() ?? '');
    const acl = aclEnable ? new BrokerAcl({ file: plainAclFile(home(io.env)), watchIntervalMs: 5_000, logger: logger.child('acl') }) : null;
    acl?.start(); // a bad plain_acl.yml stops the start here
    const { GrpcEndpoint } = await import('../grpc/grpc-endpoint');
    const endpoint = new GrpcEndpoint({
      port: grpcConfig.port,
      tls: grpcConfig.tls,
      advertisedHost,
      namesrvAddr: list.list,
      ...(accessKey && secretKey ? { credentials: { accessKey, secretKey } } : {}),
      acl,
      logger,
    });
    try {
      await endpoint.start();
    } catch (err) {
      await endpoint.shutdown();
      acl?.shutdown();
      throw err;
    }
    io.stdout.write(`The proxy boot success. gRPC ${advertisedHost}:${endpoint.port}${endpoint.tls ? ' (TLS)' : ''}, name server is ${list.list.join(';')}${acl ? `, ACL ${acl.manager.file}` : ''}\n`);
    onStop(async () => {
      await endpoint.shutdown();
      acl?.shutdown();
    });
    return -1;
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ConfigError ? `\n${PROXY_USAGE}` : '\n';
    io.stderr.write(`rocketdeck proxy: ${err instanceof Error ? err.message : String(err)}${usage}`);
    return 1;
  }
}
