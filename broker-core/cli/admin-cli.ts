/**
 * `rocketdeck admin <subcommand>`: mqadmin-style operations through the Admin client.
 * NameServers come from -n host:port[;host:port] or NAMESRV_ADDR (default 127.0.0.1:9876, what `npm start`
 * serves); when none answers, the message says where the list came from.
 */
import type { SessionCredentials } from '../acl/acl-signer';
import { AdminClient, PERM_READ, PERM_WRITE, type AclAccountUpdate, type SubscriptionGroupConfig } from '../client/admin-client';
import type { MessageQueue } from '../client/client-instance';
import type { MessageExt } from '../client/message';
import { parseNamesrvList } from '../client/namesrv-list';
import { Producer } from '../client/producer';
import { versionName } from '../protocol/language-code';
import { errorMessage } from '../util/errors';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

const USAGE = `usage: rocketdeck admin <subcommand> [-n host:port[;host:port]] [--accessKey ak --secretKey sk] [options]
NameServers: -n, else NAMESRV_ADDR, else 127.0.0.1:9876 (what npm start serves).
ACL: requests are signed with --accessKey/--secretKey [--securityToken], else ROCKETDECK_ACCESS_KEY/ROCKETDECK_SECRET_KEY
(mqadmin reads them from conf/tools.yml); unsigned when neither is given.

subcommands:
  clusterList                          brokers of every cluster, with their runtime figures
  topicList                            every topic the NameServers know
  topicRoute      -t topic             queues and brokers of a topic
  topicStatus     -t topic             min/max offset of every queue
  updateTopic     -t topic (-c cluster | -b host:port) [-r 8] [-w 8] [-p 6] [-o order true|false]
                  [-a +message.type=NORMAL|FIFO|DELAY|TRANSACTION|MIXED] (5.x attributes: +key=value sets, -key removes)
  deleteTopic     -t topic -c cluster
  brokerStatus    -b host:port         GET_BROKER_RUNTIME_INFO
  getBrokerConfig -b host:port
  consumerProgress   -g group [-t topic]   lag per queue of a consumer group
  consumerConnection -g group              clients and subscriptions of a consumer group
  statsAll        [-t topic] [-a]      per topic and consumer group: accumulation, TPS over the last minute,
                                       messages in the last 24 h (-a: only topics with traffic)
  producerConnection -g group -t topic     clients of a producer group
  updateSubGroup  -g group (-c cluster | -b host:port) [-s consumeEnable] [-m consumeFromMinEnable]
                  [-d consumeBroadcastEnable] [-o consumeMessageOrderly] [-q retryQueueNums] [-r retryMaxTimes]
  deleteSubGroup  -g group (-c cluster | -b host:port) [-r true: also remove its offsets]
  resetOffsetByTime -g group -t topic -s (ms | now | yyyy-MM-dd#HH:mm:ss:SSS) [-f true|false]
  queryMsgById    -i msgId [-t topic]   by offsetMsgId, or by the client's msgId (UNIQ_KEY) with -t
  queryMsgByKey   -t topic -k key [-b beginMs] [-e endMs]
  sendMessage     -t topic -p body [-c tags] [-k keys] [-b brokerName [-i queueId]]
  updateAclConfig (-c cluster | -b host:port) -a accessKey [-s secretKey] [-w whiteRemoteAddress] [-m admin true|false]
                  [-i defaultTopicPerm] [-u defaultGroupPerm] [-t topicA=PUB,topicB=SUB] [-g groupA=SUB]
  deleteAclConfig (-c cluster | -b host:port) -a accessKey
  updateGlobalWhiteAddr (-c cluster | -b host:port) -g 10.10.103.*,192.168.0.* [-p aclFileFullPath]
  clusterAclConfigVersion (-c cluster | -b host:port)   the ACL file version of every broker
  getAclConfig    (-c cluster | -b host:port)            accounts (with their secret keys) and global white addresses
`;

const DEFAULT_NAMESRV = '127.0.0.1:9876';

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-') && arg.length > 1) {
      const value = args[i + 1];
      const name = arg.replace(/^-+/, '');
      if (value === undefined || value.startsWith('-')) {
        // statsAll's -a stands alone, as in mqadmin (elsewhere -a takes a value: updateAclConfig -a accessKey).
        if (name !== 'a') throw new UsageError(`option ${arg} needs a value`);
        flags.set(name, 'true');
        continue;
      }
      flags.set(name, value);
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

/** `host:port[;host:port]`; a clear message for anything else. */
function namesrvListOrThrow(text: string): string[] {
  const parsed = parseNamesrvList(text);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.list;
}

/** mqadmin 5.x `-a +message.type=FIFO,-other`: each item "+key=value" (set) or "-key" (remove). */
function topicAttributes(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (item.startsWith('+') && item.includes('=')) attributes[item.slice(0, item.indexOf('='))] = item.slice(item.indexOf('=') + 1);
    else if (item.startsWith('-') && !item.includes('=')) attributes[item] = '';
    else throw new UsageError(`-a items are +key=value or -key (got "${item}")`);
  }
  return attributes;
}

function bool(flags: Map<string, string>, name: string): boolean | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false') throw new UsageError(`-${name} must be true or false (got "${text}")`);
  return text === 'true';
}

function wholeNumber(flags: Map<string, string>, name: string, min: number, max: number): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`-${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

/** mqadmin's resetOffsetByTime -s: epoch milliseconds, "now", or local time yyyy-MM-dd#HH:mm:ss:SSS. */
export function parseResetTime(text: string, now = Date.now()): number {
  if (text === 'now') return now;
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(text);
  if (m) {
    const [year, month, day, hour, minute, second, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const date = new Date(year, month - 1, day, hour, minute, second, ms);
    if (date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && hour < 24 && minute < 60 && second < 60) return date.getTime();
  }
  throw new UsageError(`-s "${text}" is not a time; give epoch milliseconds, "now", or yyyy-MM-dd#HH:mm:ss:SSS (local time)`);
}

function formatTime(ms: number): string {
  if (!ms) return '';
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** A body for a terminal: UTF-8 text without control characters, else hex; long bodies cut with a note. */
function printableBody(body: Buffer, limit = 4096): string {
  const head = body.subarray(0, limit);
  const text = head.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = !text.includes('\uFFFD') && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
  const shown = printable ? text : `(binary, hex) ${head.toString('hex')}`;
  return body.length > limit ? `${shown}\n... (${body.length - limit} more bytes not shown)` : shown;
}

function describeMessage(m: MessageExt): string {
  const host = (h: { address: string; port: number }) => `${h.address}:${h.port}`;
  const rows: [string, string][] = [
    ['OffsetID:', m.offsetMsgId],
    ['Topic:', m.topic],
    ['Tags:', `[${m.tags ?? ''}]`],
    ['Keys:', `[${m.keys.join(' ')}]`],
    ['Queue ID:', String(m.queueId)],
    ['Queue Offset:', String(m.queueOffset)],
    ['CommitLog Offset:', String(m.commitLogOffset)],
    ['Reconsume Times:', String(m.reconsumeTimes)],
    ['Born Timestamp:', formatTime(m.bornTimestamp)],
    ['Store Timestamp:', formatTime(m.storeTimestamp)],
    ['Born Host:', host(m.bornHost)],
    ['Store Host:', host(m.storeHost)],
    ['System Flag:', String(m.sysFlag)],
    ['Properties:', JSON.stringify(m.properties)],
    ['Body Size:', `${m.body.length} bytes`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(20)}${v}`).join('\n') + `\nMessage Body:\n${printableBody(m.body)}\n`;
}

/** The ACL account to sign with: --accessKey/--secretKey [--securityToken], else ROCKETDECK_ACCESS_KEY/_SECRET_KEY. */
function cliCredentials(flags: Map<string, string>, env: Record<string, string | undefined>): SessionCredentials | undefined {
  const accessKey = flags.get('accessKey') ?? env.ROCKETDECK_ACCESS_KEY;
  const secretKey = flags.get('secretKey') ?? env.ROCKETDECK_SECRET_KEY;
  if (!accessKey && !secretKey) return undefined;
  if (!accessKey || !secretKey) throw new UsageError('ACL credentials need both --accessKey and --secretKey (or ROCKETDECK_ACCESS_KEY and ROCKETDECK_SECRET_KEY)');
  const securityToken = flags.get('securityToken') ?? env.ROCKETDECK_SECURITY_TOKEN;
  return securityToken ? { accessKey, secretKey, securityToken } : { accessKey, secretKey };
}

/** Master addresses chosen by -b host:port or by -c cluster. */
async function targetBrokers(admin: AdminClient, flags: Map<string, string>): Promise<string[]> {
  if (flags.has('b')) return [flags.get('b')!];
  const cluster = need(flags, 'c', 'cluster (or -b broker address)');
  const targets = [...(await admin.masterAddresses(cluster)).values()];
  if (targets.length === 0) throw new UsageError(`cluster "${cluster}" has no brokers`);
  return targets;
}

export async function runAdminCli(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '-h' || sub === '--help') {
    io.stdout.write(USAGE);
    return sub ? 0 : 1;
  }
  let flags: Map<string, string>;
  let namesrv: string[];
  let namesrvSource: string;
  try {
    flags = parseFlags(rest).flags;
    const given = flags.get('n') ?? (io.env.NAMESRV_ADDR?.trim() || undefined); // an empty NAMESRV_ADDR counts as unset
    namesrvSource = flags.has('n') ? '-n' : io.env.NAMESRV_ADDR ? 'NAMESRV_ADDR' : 'the default, as neither -n nor NAMESRV_ADDR is set';
    namesrv = namesrvListOrThrow(given ?? DEFAULT_NAMESRV);
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n${USAGE}`);
    return 1;
  }
  let credentials: SessionCredentials | undefined;
  try {
    credentials = cliCredentials(flags, io.env);
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n${USAGE}`);
    return 1;
  }
  const admin = new AdminClient({ namesrvAddr: namesrv, credentials });
  const out = (text: string) => io.stdout.write(text);
  const brokerByName = async (name: string): Promise<string> => {
    const info = await admin.getClusterInfo();
    const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
    if (!addr) throw new UsageError(`no master broker named "${name}" (brokers: ${Object.keys(info.brokerAddrTable).sort().join(', ') || 'none'})`);
    return addr;
  };
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
        const order = bool(flags, 'o');
        const attributes = topicAttributes(flags.get('a'));
        const config = {
          topicName: topic,
          readQueueNums: positiveInt(flags, 'r', 8, 1024),
          writeQueueNums: positiveInt(flags, 'w', 8, 1024),
          perm: flags.has('p') ? positiveInt(flags, 'p', 6, 7) : PERM_READ | PERM_WRITE,
          ...(order !== undefined ? { order } : {}),
          ...(attributes ? { attributes } : {}),
        };
        for (const addr of await targetBrokers(admin, flags)) {
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
        let tps = 0;
        for (const addr of masters.values()) {
          const stats = await admin.getConsumeStats(addr, group, flags.get('t')).catch(() => null);
          tps += stats?.consumeTps ?? 0;
          for (const o of stats?.offsetTable ?? []) {
            const diff = Math.max(0, o.brokerOffset - o.consumerOffset);
            total += diff;
            rows.push([o.queue.topic, o.queue.brokerName, String(o.queue.queueId), String(o.brokerOffset), String(o.consumerOffset), String(diff)]);
          }
        }
        if (rows.length === 1) {
          io.stderr.write(`consumer group "${group}" has no offsets on any broker (it never consumed, or does not exist)\n`);
          return 1;
        }
        out(table(rows) + `\nConsume TPS: ${tps.toFixed(2)}\nDiff Total: ${total}\n`);
        return 0;
      }
      case 'statsAll': {
        const only = flags.get('t');
        const activeOnly = flags.has('a');
        // What mqadmin statsAll does: a broker that has no counter for a key adds nothing (it counted no message).
        const stats = async (statsName: string, statsKey: string, addrs: string[]) => {
          let tps = 0;
          let day = 0;
          for (const addr of addrs) {
            const data = await admin.viewBrokerStatsData(addr, statsName, statsKey).catch(() => null);
            if (!data) continue;
            tps += data.statsMinute.tps;
            day += data.statsDay.sum || data.statsHour.sum || data.statsMinute.sum;
          }
          return { tps, day };
        };
        const rows = [['#Topic', '#Consumer Group', '#Accumulation', '#InTPS', '#OutTPS', '#InMsg24Hour', '#OutMsg24Hour']];
        for (const topic of (await admin.getTopicList()).sort()) {
          if (topic.startsWith('%RETRY%') || topic.startsWith('%DLQ%') || (only && topic !== only)) continue;
          const route = await admin.getTopicRoute(topic);
          const addrs = (route?.brokerDatas ?? []).map((b) => b.brokerAddrs['0']).filter((a): a is string => !!a);
          const inStats = await stats('TOPIC_PUT_NUMS', topic, addrs);
          const groups = await admin.queryTopicConsumeByWho(topic).catch(() => []);
          if (groups.length === 0) {
            if (!activeOnly || inStats.day > 0) rows.push([topic, '', '0', inStats.tps.toFixed(2), '', String(inStats.day), 'NO_CONSUMER']);
            continue;
          }
          for (const group of groups) {
            const outStats = await stats('GROUP_GET_NUMS', `${topic}@${group}`, addrs);
            const consume = await admin.examineConsumeStats(group, topic).catch(() => null);
            const accumulation = Math.max(0, (consume?.offsetTable ?? []).reduce((sum, o) => sum + o.brokerOffset - o.consumerOffset, 0));
            if (!activeOnly || inStats.day > 0 || outStats.day > 0) {
              rows.push([topic, group, String(accumulation), inStats.tps.toFixed(2), outStats.tps.toFixed(2), String(inStats.day), String(outStats.day)]);
            }
          }
        }
        out(table(rows));
        return 0;
      }
      case 'consumerConnection': {
        const group = need(flags, 'g', 'consumer group');
        const conn = await admin.examineConsumerConnection(group);
        if (!conn || conn.connections.length === 0) {
          io.stderr.write(`consumer group "${group}" has no online clients\n`);
          return 1;
        }
        const clients = [['#', '#ClientId', '#ClientAddr', '#Language', '#Version']];
        conn.connections.forEach((c, i) => clients.push([String(i + 1), c.clientId, c.clientAddr, c.language, versionName(c.version)]));
        const subs = [['#Topic', '#SubExpression']];
        for (const s of conn.subscriptions) subs.push([s.topic, s.subString]);
        out(`${table(clients)}\nBelow is subscription:\n${table(subs)}\nConsumeType: ${conn.consumeType}\nMessageModel: ${conn.messageModel}\nConsumeFromWhere: ${conn.consumeFromWhere}\n`);
        return 0;
      }
      case 'producerConnection': {
        const group = need(flags, 'g', 'producer group');
        const topic = need(flags, 't', 'topic');
        const conns = await admin.examineProducerConnections(topic, group);
        if (conns.length === 0) {
          io.stderr.write(`producer group "${group}" has no online clients on the brokers of topic "${topic}"\n`);
          return 1;
        }
        const rows = [['#', '#ClientId', '#ClientAddr', '#Language', '#Version']];
        conns.forEach((c, i) => rows.push([String(i + 1), c.clientId, c.clientAddr, c.language, versionName(c.version)]));
        out(table(rows));
        return 0;
      }
      case 'updateSubGroup': {
        const group = need(flags, 'g', 'consumer group');
        const config: Partial<SubscriptionGroupConfig> & { groupName: string } = { groupName: group };
        const set = <K extends keyof SubscriptionGroupConfig>(key: K, value: SubscriptionGroupConfig[K] | undefined) => {
          if (value !== undefined) config[key] = value;
        };
        set('consumeEnable', bool(flags, 's'));
        set('consumeFromMinEnable', bool(flags, 'm'));
        set('consumeBroadcastEnable', bool(flags, 'd'));
        set('consumeMessageOrderly', bool(flags, 'o'));
        set('retryQueueNums', wholeNumber(flags, 'q', 0, 64));
        set('retryMaxTimes', wholeNumber(flags, 'r', -1, 1000));
        const targets = await targetBrokers(admin, flags);
        for (const addr of targets) {
          await admin.createOrUpdateSubscriptionGroup(addr, config);
          out(`create subscription group to ${addr} success.\n`);
        }
        const saved = await admin.getSubscriptionGroupConfig(targets[0]!, group);
        out(JSON.stringify(saved) + '\n');
        return 0;
      }
      case 'deleteSubGroup': {
        const group = need(flags, 'g', 'consumer group');
        const cleanOffset = bool(flags, 'r') ?? false;
        for (const addr of await targetBrokers(admin, flags)) {
          await admin.deleteSubscriptionGroup(addr, group, cleanOffset);
          out(`delete subscription group [${group}] from broker [${addr}] success${cleanOffset ? ', offsets removed' : ''}.\n`);
        }
        return 0;
      }
      case 'resetOffsetByTime': {
        const group = need(flags, 'g', 'consumer group');
        const topic = need(flags, 't', 'topic');
        const timeText = need(flags, 's', 'time (ms, now, or yyyy-MM-dd#HH:mm:ss:SSS)');
        const timestamp = parseResetTime(timeText);
        const force = bool(flags, 'f') ?? true;
        const entries = await admin.resetOffsetByTimestamp(topic, group, timestamp, force);
        out(`rollback consumer offset by specified consumerGroup[${group}], topic[${topic}], force[${force}], timestamp(string)[${timeText}], timestamp(long)[${timestamp}]\n`);
        const rows = [['#brokerName', '#queueId', '#offset']];
        for (const e of entries) rows.push([e.queue.brokerName, String(e.queue.queueId), String(e.offset)]);
        out(table(rows));
        return 0;
      }
      case 'queryMsgById': {
        const id = need(flags, 'i', 'message id');
        const message = await admin.viewMessage(id, flags.get('t'));
        if (!message) {
          io.stderr.write(`no message with id ${id}${flags.has('t') ? ` in topic "${flags.get('t')}"` : ' (a client msgId needs -t topic; without it the id is read as an offsetMsgId)'}\n`);
          return 1;
        }
        out(`${'MsgId:'.padEnd(20)}${message.msgId}\n${describeMessage(message)}`);
        return 0;
      }
      case 'queryMsgByKey': {
        const topic = need(flags, 't', 'topic');
        const key = need(flags, 'k', 'key');
        const begin = wholeNumber(flags, 'b', 0, Number.MAX_SAFE_INTEGER);
        const end = wholeNumber(flags, 'e', 0, Number.MAX_SAFE_INTEGER);
        const found = await admin.queryMessageByKey(topic, key, { beginTimestamp: begin, endTimestamp: end });
        const rows = [['#Message ID', '#Offset ID', '#QID', '#Offset', '#Store Time']];
        for (const m of found) rows.push([m.msgId, m.offsetMsgId, String(m.queueId), String(m.queueOffset), formatTime(m.storeTimestamp)]);
        out(table(rows));
        if (found.length === 0) io.stderr.write(`no message with key "${key}" in topic "${topic}"\n`);
        return found.length === 0 ? 1 : 0;
      }
      case 'sendMessage': {
        const topic = need(flags, 't', 'topic');
        const body = need(flags, 'p', 'message body');
        const keys = flags.get('k')?.split(/\s+/).filter(Boolean);
        const brokerName = flags.get('b');
        const queueId = wholeNumber(flags, 'i', 0, 65535);
        if (queueId !== undefined && !brokerName) throw new UsageError('-i queueId needs -b brokerName');
        if (brokerName) await brokerByName(brokerName);
        const producer = new Producer({ namesrvAddr: namesrv, groupName: `CLI_PRODUCER_${process.pid}`, credentials });
        await producer.start();
        try {
          let queue: MessageQueue | undefined;
          if (brokerName) {
            const queues = (await producer.fetchPublishMessageQueues(topic)).filter((q) => q.brokerName === brokerName);
            if (queues.length === 0) throw new UsageError(`topic "${topic}" has no writable queue on broker "${brokerName}"`);
            queue = queueId === undefined ? queues[Math.floor(Math.random() * queues.length)] : queues.find((q) => q.queueId === queueId);
            if (!queue) throw new UsageError(`topic "${topic}" on broker "${brokerName}" has queues 0–${queues.length - 1}, not ${queueId}`);
          }
          const result = await producer.send({ topic, body, tags: flags.get('c'), keys }, queue ? { queue } : {});
          const rows = [['#Broker Name', '#QID', '#Send Result', '#MsgId', '#OffsetMsgId', '#Queue Offset']];
          rows.push([result.messageQueue.brokerName, String(result.messageQueue.queueId), result.sendStatus, result.msgId, result.offsetMsgId, String(result.queueOffset)]);
          out(table(rows));
        } finally {
          await producer.shutdown();
        }
        return 0;
      }
      case 'updateAclConfig': {
        const accessKey = need(flags, 'a', 'accessKey of the account');
        const list = (name: string) => flags.get(name)?.split(',').map((s) => s.trim()).filter(Boolean);
        const account: AclAccountUpdate = {
          accessKey,
          secretKey: flags.get('s'),
          whiteRemoteAddress: flags.get('w'),
          admin: bool(flags, 'm') ?? false,
          defaultTopicPerm: flags.get('i'),
          defaultGroupPerm: flags.get('u'),
          topicPerms: list('t'),
          groupPerms: list('g'),
        };
        for (const addr of await targetBrokers(admin, flags)) {
          await admin.updateAclConfig(addr, account);
          out(`create or update plain access config to ${addr} success.\n`);
        }
        out(JSON.stringify({ ...account, secretKey: account.secretKey ? '******' : undefined }) + '\n');
        return 0;
      }
      case 'deleteAclConfig':
      case 'deleteAccessConfig': {
        const accessKey = need(flags, 'a', 'accessKey of the account');
        for (const addr of await targetBrokers(admin, flags)) {
          await admin.deleteAclConfig(addr, accessKey);
          out(`delete plain access config account ${accessKey} from ${addr} success.\n`);
        }
        return 0;
      }
      case 'updateGlobalWhiteAddr': {
        const patterns = need(flags, 'g', 'globalWhiteRemoteAddresses (comma list)').split(',').map((s) => s.trim()).filter(Boolean);
        for (const addr of await targetBrokers(admin, flags)) {
          await admin.updateGlobalWhiteAddrs(addr, patterns, flags.get('p'));
          out(`update global white remote addresses to ${addr} success.\n`);
        }
        return 0;
      }
      case 'clusterAclConfigVersion': {
        const rows = [['#Cluster Name', '#Broker Name', '#Broker Addr', '#AclFilePath', '#AclConfigVersionNum', '#AclLastUpdateTime']];
        for (const addr of await targetBrokers(admin, flags)) {
          const info = await admin.getBrokerAclVersion(addr);
          for (const [file, version] of Object.entries(info.allAclFileVersion)) {
            rows.push([info.clusterName, info.brokerName, info.brokerAddr, file, String(version.counter), formatTime(version.timestamp)]);
          }
        }
        out(table(rows));
        return 0;
      }
      case 'getAclConfig':
      case 'getAccessConfigSubCommand': {
        for (const addr of await targetBrokers(admin, flags)) {
          const config = await admin.getBrokerAclConfig(addr);
          out(`${addr}\n${JSON.stringify(config, null, 2)}\n`);
        }
        return 0;
      }
      default:
        io.stderr.write(`unknown admin subcommand "${sub}"\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n${USAGE}`);
    } else {
      const code = (err as { code?: string }).code;
      const hint = code === 'BROKER_ERR_NO_NAMESRV'
        ? `\nThe NameServer list ${namesrv.join(';')} came from ${namesrvSource}. Start Rocketdeck with "npm start", or point -n / NAMESRV_ADDR at a running NameServer.`
        : '';
      io.stderr.write(`error: ${errorMessage(err)}${hint}\n`);
    }
    return 1;
  } finally {
    await admin.close();
  }
}
