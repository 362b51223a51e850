/**
 * `rocketdeck demo`: real traffic so every console page has something to show, against the cluster of -n (else
 * NAMESRV_ADDR, else 127.0.0.1:9876), with this project's own clients:
 *   topics     DemoOrderTopic (8 queues), DemoPaymentTopic (4), DemoAuditTopic (2)
 *   producer   PG_demo: orders (tags created / paid, keys order-N, JSON bodies), payments (text), audit (binary)
 *   online     CG_demo_billing consumes orders and payments as they come
 *   lagging    CG_demo_audit_slow takes one audit message per 500 ms while more arrive: its lag grows
 *   failing    CG_demo_inventory fails every "fragile" order, and gives up at once: they fill %DLQ%CG_demo_inventory
 *   traced     one order sent and consumed with message trace on (key demo-traced-order, RMQ_SYS_TRACE_TOPIC)
 * It runs until Ctrl+C, or for -t seconds, then stops its clients (topics, groups and messages stay).
 */
import type { Writable } from 'node:stream';
import { AdminClient } from '../client/admin-client';
import { parseNamesrvList } from '../client/namesrv-list';
import { Producer } from '../client/producer';
import { PushConsumer } from '../client/push-consumer';

export const DEMO_USAGE = `usage: rocketdeck demo [-n host:port[;host:port]] [-t seconds]
  Sends demo traffic so every console page has something to show: three topics, an online consumer group, a
  lagging group, a failing consumer that fills a DLQ, and a traced message. Runs until Ctrl+C (or -t seconds);
  what it created stays.
  -n list      NameServers (else NAMESRV_ADDR, else 127.0.0.1:9876)
  -t seconds   stop after this long (default: run until Ctrl+C)
`;

export const DEMO_TOPICS = { orders: 'DemoOrderTopic', payments: 'DemoPaymentTopic', audit: 'DemoAuditTopic' } as const;
export const DEMO_GROUPS = { online: 'CG_demo_billing', lagging: 'CG_demo_audit_slow', failing: 'CG_demo_inventory', producer: 'PG_demo' } as const;
export const DEMO_TRACED_KEY = 'demo-traced-order';
/** Messages per second the producer aims at (orders; payments and audit messages come along). */
const ORDERS_PER_SECOND = 10;

interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Resolves when the demo should stop (SIGINT by default). */
  stopSignal?: Promise<void>;
}

class UsageError extends Error {}

function parseArgs(args: string[], env: Record<string, string | undefined>): { namesrvAddr: string; seconds: number | null } {
  let list = env.NAMESRV_ADDR?.trim() || '127.0.0.1:9876';
  let seconds: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (flag !== '-n' && flag !== '-t') throw new UsageError(`unknown option ${flag}`);
    if (value === undefined || value.startsWith('-')) throw new UsageError(`option ${flag} needs a value`);
    i++;
    if (flag === '-n') list = value;
    else {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`-t takes a whole number of seconds, at least 1 (got "${value}")`);
      seconds = Number(value);
    }
  }
  const parsed = parseNamesrvList(list);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return { namesrvAddr: parsed.list.join(';'), seconds };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runDemo(args: string[], io: Io): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.stdout.write(DEMO_USAGE);
    return 0;
  }
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(args, io.env);
  } catch (err) {
    io.stderr.write(`rocketdeck demo: ${(err as Error).message}\n${DEMO_USAGE}`);
    return 1;
  }
  const { namesrvAddr, seconds } = options;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const admin = new AdminClient({ namesrvAddr });
  const closers: (() => Promise<void>)[] = [];
  try {
    const masters = await admin.masterAddresses();
    if (masters.size === 0) throw new Error(`no broker is registered with ${namesrvAddr}`);
    for (const addr of masters.values()) {
      for (const [topic, queues] of [[DEMO_TOPICS.orders, 8], [DEMO_TOPICS.payments, 4], [DEMO_TOPICS.audit, 2]] as const) {
        await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
      }
      // retryMaxTimes 0: a failed message of the failing group goes to its DLQ at once.
      await admin.createOrUpdateSubscriptionGroup(addr, { groupName: DEMO_GROUPS.failing, retryMaxTimes: 0 });
    }
    say(`Demo traffic on ${namesrvAddr} (${[...masters.keys()].join(', ')}):`);
    say(`  topics   ${Object.values(DEMO_TOPICS).join(', ')}`);

    const common = { namesrvAddr, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' as const };
    const billing = new PushConsumer({ ...common, groupName: DEMO_GROUPS.online, enableMsgTrace: true });
    billing.subscribe(DEMO_TOPICS.orders, 'created || paid').subscribe(DEMO_TOPICS.payments, '*');
    billing.registerMessageListener(() => 'CONSUME_SUCCESS');
    const slow = new PushConsumer({ ...common, groupName: DEMO_GROUPS.lagging, consumeThreadMax: 1, pullBatchSize: 1 });
    slow.subscribe(DEMO_TOPICS.audit, '*');
    slow.registerMessageListener(async () => {
      await sleep(500);
      return 'CONSUME_SUCCESS' as const;
    });
    const failing = new PushConsumer({ ...common, groupName: DEMO_GROUPS.failing, maxReconsumeTimes: 0 });
    failing.subscribe(DEMO_TOPICS.orders, 'fragile');
    failing.registerMessageListener(() => 'RECONSUME_LATER');
    const producer = new Producer({ namesrvAddr, groupName: DEMO_GROUPS.producer });
    const traced = new Producer({ namesrvAddr, groupName: `${DEMO_GROUPS.producer}_traced`, enableMsgTrace: true });
    for (const client of [billing, slow, failing, producer, traced]) {
      await client.start();
      closers.unshift(() => client.shutdown());
    }
    say(`  online   ${DEMO_GROUPS.online} consumes ${DEMO_TOPICS.orders} (created || paid) and ${DEMO_TOPICS.payments}`);
    say(`  lagging  ${DEMO_GROUPS.lagging} takes one ${DEMO_TOPICS.audit} message per 500 ms`);
    say(`  failing  ${DEMO_GROUPS.failing} fails every "fragile" order: %DLQ%${DEMO_GROUPS.failing} fills`);

    const sent = await traced.send({ topic: DEMO_TOPICS.orders, tags: 'created', keys: [DEMO_TRACED_KEY], body: JSON.stringify({ orderId: 0, status: 'created', note: 'sent and consumed with message trace on' }) });
    say(`  traced   msgId ${sent.msgId} (key ${DEMO_TRACED_KEY}): see it on the Trace page`);
    say(seconds === null ? 'Sending; Ctrl+C stops the demo.' : `Sending for ${seconds} s.`);

    const stop = Promise.race([io.stopSignal ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve())), ...(seconds === null ? [] : [sleep(seconds * 1000)])]);
    let stopped = false;
    void stop.then(() => (stopped = true));
    let n = 0;
    const statuses = ['created', 'paid', 'created', 'fragile'] as const;
    const started = Date.now();
    while (!stopped) {
      n++;
      const tags = statuses[n % statuses.length]!;
      await producer.send({ topic: DEMO_TOPICS.orders, tags, keys: [`order-${n}`], body: JSON.stringify({ orderId: n, status: tags, amount: (n * 37) % 500, currency: n % 3 ? 'EUR' : 'USD' }), properties: { region: n % 2 ? 'eu' : 'us' } });
      if (n % 3 === 0) await producer.send({ topic: DEMO_TOPICS.payments, keys: [`pay-${n}`], body: `payment ${n} accepted` });
      if (n % 2 === 0) await producer.send({ topic: DEMO_TOPICS.audit, body: Buffer.from([0xde, 0xad, 0xbe, 0xef, n & 0xff]) });
      if (n % (ORDERS_PER_SECOND * 10) === 0) say(`  ${n} orders sent`);
      const ahead = started + (n * 1000) / ORDERS_PER_SECOND - Date.now();
      if (ahead > 0) await Promise.race([sleep(ahead), stop]);
    }
    say(`Stopped after ${n} orders. The topics, groups and messages stay; the console shows them.`);
    return 0;
  } catch (err) {
    io.stderr.write(`rocketdeck demo: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await admin.close();
  }
}
