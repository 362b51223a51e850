import { PushConsumer } from '../broker-core/client/push-consumer';
let n = 0;
const consumer = new PushConsumer({ namesrvAddr: process.env.NS ?? '127.0.0.1:19876', groupName: process.env.GROUP ?? 'CG_java_reset', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' } as any);
consumer.subscribe(process.env.TOPIC ?? 'TopicTest', '*').registerMessageListener(async (msgs: any[]) => { n += msgs.length; return 'CONSUME_SUCCESS' as any; });
await consumer.start();
setInterval(() => console.log(new Date().toISOString(), 'consumed', n), 5000);
process.on('SIGTERM', async () => { await consumer.shutdown(); process.exit(0); });
