/**
 * Child process of the crash test: opens the store under SYNC_FLUSH and appends until killed, printing one
 * line per acknowledged message: `ack <seq> <queueId> <queueOffset> <commitLogOffset>`.
 * Usage: node --import tsx crash-writer.ts <storeDir> <firstSeq> <concurrency>
 */
import { DefaultMessageStore } from '../default-message-store';
import { crashTestBody, CRASH_TEST_QUEUES, CRASH_TEST_STORE_OPTIONS, CRASH_TEST_TOPIC } from './crash-test-shape';

const [dir, firstSeqText, concurrencyText] = process.argv.slice(2);
if (!dir) throw new Error('usage: crash-writer.ts <storeDir> <firstSeq> <concurrency>');
let seq = Number(firstSeqText ?? 0);
const concurrency = Number(concurrencyText ?? 8);

const store = new DefaultMessageStore({ storePathRootDir: dir, flushDiskType: 'SYNC_FLUSH', ...CRASH_TEST_STORE_OPTIONS });
await store.start();
process.stdout.write(`ready ${store.recoveryReport}\n`);

async function writer(): Promise<void> {
  for (;;) {
    const mine = seq++;
    const queueId = mine % CRASH_TEST_QUEUES;
    const result = await store.putMessage({
      topic: CRASH_TEST_TOPIC,
      queueId,
      flag: 0,
      sysFlag: 0,
      body: crashTestBody(mine),
      propertiesString: `KEYS\u0001seq-${mine}\u0002`,
      bornTimestamp: Date.now(),
      bornHost: { address: '127.0.0.1', port: 1 },
      storeHost: { address: '127.0.0.1', port: 10911 },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    if (result.status !== 'PUT_OK') {
      process.stdout.write(`fail ${mine} ${result.status}\n`);
      continue;
    }
    process.stdout.write(`ack ${mine} ${queueId} ${result.appendResult!.queueOffset} ${result.appendResult!.commitLogOffset}\n`);
  }
}

await Promise.all(Array.from({ length: concurrency }, () => writer()));
