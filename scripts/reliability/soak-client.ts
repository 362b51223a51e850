/**
 * A client process for the soak: one PushConsumer in `group` on `topic`, heartbeating every `heartbeatMs`.
 * The soak kills it (SIGKILL: its socket closes at once) or freezes it (SIGSTOP: the socket stays open, silent),
 * never letting it unregister, to see the broker forget it.
 * Usage: node --import tsx soak-client.ts <namesrvAddr> <group> <topic> <heartbeatMs>
 */
import { PushConsumer } from '../../broker-core/client/push-consumer';

const [namesrvAddr, group, topic, heartbeatText] = process.argv.slice(2);
if (!namesrvAddr || !group || !topic) throw new Error('usage: soak-client.ts <namesrvAddr> <group> <topic> <heartbeatMs>');
const consumer = new PushConsumer({ namesrvAddr, groupName: group, heartbeatBrokerIntervalMs: Number(heartbeatText ?? 30_000), brokerSuspendMaxTimeMillis: 1_000 });
consumer.subscribe(topic, '*');
consumer.registerMessageListener(async () => undefined);
await consumer.start();
process.stdout.write(`ready ${consumer.clientId}\n`);
