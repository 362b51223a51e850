/**
 * `rocketdeck namesrv` and `rocketdeck broker`: the NameServer and the Broker as separate processes, like
 * RocketMQ's mqnamesrv and mqbroker. The broker reads RocketMQ's broker.properties (-c), takes -n like
 * mqbroker (else namesrvAddr from the file, else NAMESRV_ADDR), and stores under storePathRootDir (default
 * ROCKETDECK_HOME/store); with aclEnable=true it checks requests against ROCKETDECK_HOME/conf/plain_acl.yml. Both stop cleanly on SIGINT/SIGTERM (the broker unregisters from its NameServers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerController } from '../broker/broker-controller';
import { parseNamesrvList } from '../client/namesrv-list';
import { NamesrvController } from '../namesrv/namesrv-controller';
import { brokerConfigFromProperties, parseProperties, PropertiesError } from '../runtime/broker-properties';
import { plainAclFile } from '../runtime/env-config';
import { createLogger } from '../util/logger';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument "${arg}"`);
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

/** `rocketdeck namesrv [-c namesrv.properties] [-p port]`; returns once listening (the process keeps running). */
export async function runNamesrv(args: string[], io: Io): Promise<number> {
  try {
    const f = flags(args);
    let port = 9876;
    if (f.has('c')) {
      const file = f.get('c')!;
      const props = parseProperties(fs.readFileSync(file, 'utf8'), file);
      if (props.has('listenPort')) port = Number(props.get('listenPort')!.value);
    }
    if (f.has('p')) port = Number(f.get('p'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`the port must be a whole number from 0 to 65535 (got "${f.get('p') ?? port}")`);
    const namesrv = new NamesrvController({ port, logger: createLogger('namesrv'), kvConfigPath: path.join(home(io.env), 'namesrv', 'kvConfig.json') });
    await namesrv.start();
    io.stdout.write(`The Name Server boot success. listening on 0.0.0.0:${namesrv.port}\n`);
    onStop(() => namesrv.shutdown());
    return -1;
  } catch (err) {
    io.stderr.write(`rocketdeck namesrv: ${err instanceof Error ? err.message : String(err)}\nusage: rocketdeck namesrv [-c namesrv.properties] [-p port]\n`);
    return 1;
  }
}

/** `rocketdeck broker [-n host:port[;host:port]] [-c broker.properties]`. */
export async function runBroker(args: string[], io: Io): Promise<number> {
  try {
    const f = flags(args);
    let fromFile: ReturnType<typeof brokerConfigFromProperties> = { config: {}, ignored: [] };
    if (f.has('c')) {
      const file = f.get('c')!;
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      fromFile = brokerConfigFromProperties(text, file);
      if (fromFile.ignored.length > 0) io.stderr.write(`rocketdeck broker: ${file}: not used by Rocketdeck: ${fromFile.ignored.join(', ')}\n`);
    }
    const listText = f.get('n') ?? (fromFile.config.namesrvAddr?.join(';') || io.env.NAMESRV_ADDR);
    if (!listText) throw new UsageError('no NameServer address: give -n host:port, namesrvAddr in broker.properties, or NAMESRV_ADDR');
    const list = parseNamesrvList(listText);
    if (!list.ok) throw new UsageError(list.error);
    const storePathRootDir = path.resolve(fromFile.config.storePathRootDir ?? path.join(home(io.env), 'store'));
    fs.mkdirSync(storePathRootDir, { recursive: true });
    const broker = new BrokerController({ aclFile: plainAclFile(home(io.env)), ...fromFile.config, namesrvAddr: list.list, storePathRootDir }, { logger: createLogger('broker') });
    await broker.start();
    io.stdout.write(`The broker[${broker.config.brokerName}, ${broker.brokerAddr}] boot success. name server is ${list.list.join(';')}, store ${storePathRootDir}\n`);
    onStop(() => broker.shutdown());
    return -1;
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof PropertiesError ? '\nusage: rocketdeck broker [-n host:port[;host:port]] [-c broker.properties]' : '';
    io.stderr.write(`rocketdeck broker: ${err instanceof Error ? err.message : String(err)}${usage}\n`);
    return 1;
  }
}
