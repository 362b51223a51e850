/**
 * `rocketdeck admin <subcommand>`: mqadmin-style operations through the Admin client.
 * NameServers come from -n host:port[;host:port] or NAMESRV_ADDR (default 127.0.0.1:9876).
 */
import { AdminClient, PERM_READ, PERM_WRITE } from '../client/admin-client';
import { errorMessage } from '../util/errors';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

const USAGE = `usage: rocketdeck admin <subcommand> [-n host:port[;host:port]] [options]

subcommands:
  clusterList                          brokers of every cluster, with their runtime figures
  topicList                            every topic the NameServers know
  topicRoute      -t topic             queues and brokers of a topic
  topicStatus     -t topic             min/max offset of every queue
  updateTopic     -t topic (-c cluster | -b host:port) [-r 8] [-w 8] [-p 6]
  deleteTopic     -t topic -c cluster
  brokerStatus    -b host:port         GET_BROKER_RUNTIME_INFO
  getBrokerConfig -b host:port
  consumerProgress -g group [-t topic] lag per queue of a consumer group
`;

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-') && arg.length > 1) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) throw new UsageError(`option ${arg} needs a value`);
      flags.set(arg.replace(/^-+/, ''), value);
      i++;
    } else positional.push(arg);
  }
  return { positional, flags };
}

class UsageError extends Error {}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function need(flags: Map<string, string>, name: string, what: string): string {
  const value = flags.get(name);
  if (!value) throw new UsageError(`missing -${name} ${what}`);
  return value;
}

function positiveInt(flags: Map<string, string>, name: string, fallback: number, max: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`-${name} must be a whole number from 1 to ${max} (got "${text}")`);
  return n;
}

export async function runAdminCli(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '-h' || sub === '--help') {
    io.stdout.write(USAGE);
    return sub ? 0 : 1;
  }
  let flags: Map<string, string>;
  try {
    flags = parseFlags(rest).flags;
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n${USAGE}`);
    return 1;
  }
  const admin = new AdminClient({ namesrvAddr: flags.get('n') ?? io.env.NAMESRV_ADDR ?? '127.0.0.1:9876' });
  const out = (text: string) => io.stdout.write(text);
  try {
    switch (sub) {
      case 'clusterList': {
        const info = await admin.getClusterInfo();
        const rows = [['#Cluster', '#Broker', '#BID', '#Addr', '#Version', '#InTPS', '#OutTPS', '#InTotalToday', '#OutTotalToday']];
        for (const [cluster, names] of Object.entries(info.clusterAddrTable).sort()) {
          for (const name of names) {
            for (const [id, addr] of Object.entries(info.brokerAddrTable[name]?.brokerAddrs ?? {})) {
              const runtime = await admin.getBrokerRuntimeInfo(addr).catch(() => ({}) as Record<string, string>);
              const tps = (key: string) => (runtime[key] ?? '').split(' ')[0] ?? '';
              rows.push([cluster, name, id, addr, runtime.brokerVersionDesc ?? '(unreachable)', tps('putTps'), tps('getTransferedTps'), runtime.msgPutTotalTodayNow ?? '', runtime.msgGetTotalTodayNow ?? '']);
            }
          }
        }
        out(table(rows));
        return 0;
      }
      case 'topicList':
        out((await admin.getTopicList()).join('\n') + '\n');
        return 0;
      case 'topicRoute': {
        const topic = need(flags, 't', 'topic');
        const route = await admin.getTopicRoute(topic);
        if (!route) {
          io.stderr.write(`topic "${topic}" has no route (it does not exist, or no broker serving it is registered)\n`);
          return 1;
        }
        out(JSON.stringify(route, null, 2) + '\n');
        return 0;
      }
      case 'topicStatus': {
        const topic = need(flags, 't', 'topic');
        const route = await admin.getTopicRoute(topic);
        if (!route) {
          io.stderr.write(`topic "${topic}" has no route\n`);
          return 1;
        }
        const rows = [['#Broker Name', '#QID', '#Min Offset', '#Max Offset', '#Last Updated']];
        for (const broker of route.brokerDatas) {
          const addr = broker.brokerAddrs['0'];
          if (!addr) continue;
          const stats = await admin.getTopicStats(addr, topic);
          for (const { queue, offset } of stats.offsetTable) {
            rows.push([queue.brokerName, String(queue.queueId), String(offset.minOffset), String(offset.maxOffset), offset.lastUpdateTimestamp ? new Date(offset.lastUpdateTimestamp).toISOString() : '']);
          }
        }
        out(table(rows));
        return 0;
      }
      case 'updateTopic': {
        const topic = need(flags, 't', 'topic');
        const config = {
          topicName: topic,
          readQueueNums: positiveInt(flags, 'r', 8, 1024),
          writeQueueNums: positiveInt(flags, 'w', 8, 1024),
          perm: flags.has('p') ? positiveInt(flags, 'p', 6, 7) : PERM_READ | PERM_WRITE,
        };
        const targets = flags.has('b') ? [flags.get('b')!] : [...(await admin.masterAddresses(need(flags, 'c', 'cluster (or -b broker address)'))).values()];
        if (targets.length === 0) throw new UsageError(`cluster "${flags.get('c')}" has no brokers`);
        for (const addr of targets) {
          await admin.createOrUpdateTopic(addr, config);
          out(`create topic to ${addr} success.\n`);
        }
        out(JSON.stringify(config) + '\n');
        return 0;
      }
      case 'deleteTopic': {
        const topic = need(flags, 't', 'topic');
        const masters = await admin.masterAddresses(need(flags, 'c', 'cluster'));
        for (const addr of masters.values()) await admin.deleteTopicInBroker(addr, topic);
        await admin.deleteTopicInNamesrv(topic);
        out(`delete topic [${topic}] from cluster [${flags.get('c')}] success.\n`);
        return 0;
      }
      case 'brokerStatus': {
        const runtime = await admin.getBrokerRuntimeInfo(need(flags, 'b', 'host:port'));
        out(table(Object.entries(runtime).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k.padEnd(32), `: ${v}`])));
        return 0;
      }
      case 'getBrokerConfig': {
        const config = await admin.getBrokerConfig(need(flags, 'b', 'host:port'));
        out(table(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k.padEnd(40), `= ${v}`])));
        return 0;
      }
      case 'consumerProgress': {
        const group = need(flags, 'g', 'consumer group');
        const masters = await admin.masterAddresses();
        const rows = [['#Topic', '#Broker Name', '#QID', '#Broker Offset', '#Consumer Offset', '#Diff']];
        let total = 0;
        for (const addr of masters.values()) {
          const stats = await admin.getConsumeStats(addr, group, flags.get('t')).catch(() => null);
          for (const o of stats?.offsetTable ?? []) {
            const diff = Math.max(0, o.brokerOffset - o.consumerOffset);
            total += diff;
            rows.push([o.queue.topic, o.queue.brokerName, String(o.queue.queueId), String(o.brokerOffset), String(o.consumerOffset), String(diff)]);
          }
        }
        out(table(rows) + `\nDiff Total: ${total}\n`);
        return 0;
      }
      default:
        io.stderr.write(`unknown admin subcommand "${sub}"\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    io.stderr.write(`${err instanceof UsageError ? `${err.message}\n${USAGE}` : `error: ${errorMessage(err)}\n`}`);
    return 1;
  } finally {
    await admin.close();
  }
}
