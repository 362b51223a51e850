/**
 * The runtime configuration of `npm start` and the `rocketdeck` commands, read from the environment.
 * Every variable has a default that works on a fresh machine; a bad value is a one-line ConfigError.
 *
 *   ROCKETDECK_HOME      data folder (default ./data), created if missing
 *   NAMESRV_PORT         embedded NameServer port (9876)
 *   BROKER_PORT          embedded Broker port (10911)
 *   BROKER_FAST_PORT     the Broker's "fast"/VIP port older Java clients use (BROKER_PORT - 2); "off" disables
 *   PORT                 console port (8899)
 *   HOST                 console bind address (127.0.0.1; set 0.0.0.0 to expose the console)
 *   NAMESRV_ADDR         ';'-separated remote NameServers: the console manages that cluster, nothing embedded starts
 *   ROCKETDECK_EMBEDDED  "1": start the embedded NameServer + Broker even when NAMESRV_ADDR is set
 *   BROKER_IP1           address the Broker advertises (default: first non-loopback IPv4, else 127.0.0.1)
 *   BROKER_NAME, BROKER_CLUSTER_NAME, FLUSH_DISK_TYPE (ASYNC_FLUSH | SYNC_FLUSH), AUTO_CREATE_TOPIC (true | false)
 *   ACL_ENABLE           "true": the Broker checks every request against ROCKETDECK_HOME/conf/plain_acl.yml (aclEnable)
 *   ROCKETDECK_CONSOLE_ACCESS_KEY / ROCKETDECK_CONSOLE_SECRET_KEY   the ACL account the console signs with
 *   GRPC_PORT            the gRPC endpoint for RocketMQ 5.x clients (8081); "off" disables it
 *   GRPC_TLS_CERT / GRPC_TLS_KEY   PEM files: the gRPC endpoint speaks TLS (both or neither)
 */
import os from 'node:os';
import path from 'node:path';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface RuntimeConfig {
  home: string;
  namesrvPort: number;
  brokerPort: number;
  brokerFastPort: number | null;
  consolePort: number;
  consoleHost: string;
  /** Remote NameServers from NAMESRV_ADDR, or null when unset. */
  remoteNamesrvAddr: string[] | null;
  /** Start the embedded NameServer + Broker. */
  embedded: boolean;
  brokerIP1: string;
  brokerName: string;
  brokerClusterName: string;
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  autoCreateTopicEnable: boolean;
  /** RocketMQ's aclEnable for the embedded Broker (ACL_ENABLE). */
  aclEnable: boolean;
  /** The plain ACL file: ROCKETDECK_HOME/conf/plain_acl.yml. */
  aclFile: string;
  /** The NameServer list the console and clients use. */
  consoleNamesrvAddr: string[];
  /** The gRPC endpoint (GRPC_PORT, GRPC_TLS_CERT, GRPC_TLS_KEY); null when GRPC_PORT=off. */
  grpc: GrpcConfig | null;
}

export interface GrpcConfig {
  port: number;
  tls: { certFile: string; keyFile: string } | null;
}

export const GRPC_PORT_DEFAULT = 8081;

/** GRPC_PORT (default 8081, "off" disables), GRPC_TLS_CERT + GRPC_TLS_KEY (TLS when both are set). */
export function loadGrpcConfig(env: Env = process.env, cwd = process.cwd()): GrpcConfig | null {
  const raw = env.GRPC_PORT?.trim().toLowerCase();
  if (raw === 'off' || raw === 'none' || raw === 'false') return null;
  const port = readPort(env, 'GRPC_PORT', GRPC_PORT_DEFAULT);
  const cert = env.GRPC_TLS_CERT?.trim();
  const key = env.GRPC_TLS_KEY?.trim();
  if (!!cert !== !!key) throw new ConfigError(`GRPC_TLS_CERT and GRPC_TLS_KEY go together: set both (PEM certificate and key) for TLS, or neither for plaintext`);
  return { port, tls: cert && key ? { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key) } : null };
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`${name}=${raw} is not a valid port (a whole number from 0 to 65535)`);
  }
  return Number(raw);
}

const HOST_PORT = /^[A-Za-z0-9.\-_:[\]]+:\d{1,5}$/;

/** Parses "host:port;host:port" (also accepts ',' and whitespace) into a list; throws on a malformed entry. */
export function parseNamesrvAddr(value: string, variable = 'NAMESRV_ADDR'): string[] {
  const entries = value.split(/[;,\s]+/).map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError(`${variable} is empty: give host:port[;host:port]`);
  for (const entry of entries) {
    const port = Number(entry.slice(entry.lastIndexOf(':') + 1));
    if (!HOST_PORT.test(entry) || port < 1 || port > 65535) {
      throw new ConfigError(`${variable} entry "${entry}" is not host:port (e.g. 127.0.0.1:9876)`);
    }
  }
  return entries;
}

/** RocketMQ's brokerIP1 default: the first non-loopback IPv4 address, or 127.0.0.1. */
export function defaultBrokerIP1(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}=${env[name]} is not a boolean (true or false)`);
}

/** Where the Broker's plain ACL file lives under a Rocketdeck home (RocketMQ: ROCKETMQ_HOME/conf/plain_acl.yml). */
export function plainAclFile(home: string): string {
  return path.join(home, 'conf', 'plain_acl.yml');
}

export function loadRuntimeConfig(env: Env = process.env, cwd = process.cwd()): RuntimeConfig {
  const home = path.resolve(cwd, env.ROCKETDECK_HOME?.trim() || 'data');
  const namesrvPort = readPort(env, 'NAMESRV_PORT', 9876);
  const brokerPort = readPort(env, 'BROKER_PORT', 10911);
  const fastRaw = env.BROKER_FAST_PORT?.trim().toLowerCase();
  const brokerFastPort =
    fastRaw === 'off' || fastRaw === 'none' ? null : readPort(env, 'BROKER_FAST_PORT', brokerPort >= 2 ? brokerPort - 2 : 0);
  const consolePort = readPort(env, 'PORT', 8899);
  const remoteNamesrvAddr = env.NAMESRV_ADDR?.trim() ? parseNamesrvAddr(env.NAMESRV_ADDR) : null;
  const embedded = remoteNamesrvAddr === null || readBoolean(env, 'ROCKETDECK_EMBEDDED', false);
  const flushDiskType = (env.FLUSH_DISK_TYPE?.trim() || 'ASYNC_FLUSH').toUpperCase();
  if (flushDiskType !== 'ASYNC_FLUSH' && flushDiskType !== 'SYNC_FLUSH') {
    throw new ConfigError(`FLUSH_DISK_TYPE=${env.FLUSH_DISK_TYPE} must be ASYNC_FLUSH or SYNC_FLUSH`);
  }
  const brokerIP1 = env.BROKER_IP1?.trim() || defaultBrokerIP1();
  const localNamesrv = `127.0.0.1:${namesrvPort}`;
  return {
    home,
    namesrvPort,
    brokerPort,
    brokerFastPort: brokerFastPort === 0 && brokerPort !== 0 ? null : brokerFastPort,
    consolePort,
    consoleHost: env.HOST?.trim() || '127.0.0.1',
    remoteNamesrvAddr,
    embedded,
    brokerIP1,
    brokerName: env.BROKER_NAME?.trim() || 'broker-a',
    brokerClusterName: env.BROKER_CLUSTER_NAME?.trim() || 'DefaultCluster',
    flushDiskType,
    autoCreateTopicEnable: readBoolean(env, 'AUTO_CREATE_TOPIC', true),
    aclEnable: readBoolean(env, 'ACL_ENABLE', false),
    aclFile: plainAclFile(home),
    consoleNamesrvAddr: remoteNamesrvAddr ?? [localNamesrv],
    grpc: loadGrpcConfig(env, cwd),
  };
}
