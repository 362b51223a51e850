/**
 * `npx tsx scripts/demo-traffic.ts [seconds]`: real traffic for looking at the console: creates OrderTopic,
 * PaymentTopic and AuditTopic, keeps a producer sending, a consumer group consuming (one that fails its
 * "poison" messages into %DLQ%), and a slow group that piles up lag. NAMESRV_ADDR picks the cluster.
 */
import { AdminClient, Producer, PushConsumer } from '../broker-core/client/index';

const namesrvAddr = process.env.NAMESRV_ADDR || '127.0.0.1:9876';
const seconds = Number(process.argv[2] ?? 60);

async function main(): Promise<void> {
  const admin = new AdminClient({ namesrvAddr });
  const masters = await admin.masterAddresses();
  for (const addr of masters.values()) {
    for (const [topic, queues] of [['OrderTopic', 8], ['PaymentTopic', 4], ['AuditTopic', 2]] as const) {
      await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
    }
  }
  const producer = new Producer({ namesrvAddr, groupName: 'PG_demo_orders' });
  await producer.start();
  const billing = new PushConsumer({ namesrvAddr, groupName: 'CG_billing', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', maxReconsumeTimes: 0 });
  billing.subscribe('OrderTopic', 'created || paid').subscribe('PaymentTopic', '*');
  billing.registerMessageListener((messages) => (messages.some((m) => m.body.toString().includes('"poison"')) ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS'));
  await billing.start();
  const audit = new PushConsumer({ namesrvAddr, groupName: 'CG_audit_slow', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeThreadMax: 1 });
  audit.subscribe('AuditTopic', '*');
  audit.registerMessageListener(async () => {
    await new Promise((r) => setTimeout(r, 400));
  });
  await audit.start();

  const until = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < until) {
    n++;
    const tags = n % 3 === 0 ? 'paid' : 'created';
    const poison = n % 97 === 0;
    await producer.send({ topic: 'OrderTopic', tags, keys: [`order-${n}`], body: JSON.stringify({ orderId: n, status: tags, amount: (n * 7) % 500, ...(poison ? { poison: true } : {}) }), properties: { region: n % 2 ? 'eu' : 'us' } });
    if (n % 4 === 0) await producer.send({ topic: 'PaymentTopic', keys: [`pay-${n}`], body: `payment ${n} accepted` });
    if (n % 5 === 0) await producer.send({ topic: 'AuditTopic', body: Buffer.from([0xde, 0xad, 0xbe, 0xef, n & 0xff]) });
    await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write(`sent ${n} orders\n`);
  await billing.shutdown();
  await audit.shutdown();
  await producer.shutdown();
  await admin.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo traffic failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
