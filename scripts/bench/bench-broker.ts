/**
 * Benchmark child: a NameServer + Broker on ephemeral ports with a temp store (flush type from BENCH_FLUSH).
 * Prints one `READY {json}` line; on SIGTERM prints `FLUSHES {json}` (when this process had an fsync or fdatasync
 * in progress, see flush-windows.ts), stops cleanly and removes its store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerController } from '../../broker-core/broker/broker-controller';
import { NamesrvController } from '../../broker-core/namesrv/namesrv-controller';
import { silentLogger } from '../../broker-core/util/logger';
import { recordFlushWindows } from './flush-windows';

const storePathRootDir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'rocketdeck-bench-'));
const flushWindows = await recordFlushWindows(storePathRootDir);
const namesrv = new NamesrvController({ port: 0, host: '127.0.0.1', logger: silentLogger });
await namesrv.start();
const broker = new BrokerController(
  {
    listenPort: 0,
    fastListenPort: null,
    brokerIP1: '127.0.0.1',
    namesrvAddr: [`127.0.0.1:${namesrv.port}`],
    storePathRootDir,
    flushDiskType: process.env.BENCH_FLUSH === 'SYNC_FLUSH' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH',
  },
  { logger: silentLogger },
);
await broker.start();
process.stdout.write(`READY ${JSON.stringify({ namesrvAddr: `127.0.0.1:${namesrv.port}`, brokerAddr: `127.0.0.1:${broker.port}`, pid: process.pid })}\n`);

process.on('SIGTERM', async () => {
  await new Promise((resolve) => process.stdout.write(`FLUSHES ${JSON.stringify(flushWindows())}\n`, resolve));
  await broker.shutdown();
  await namesrv.shutdown();
  fs.rmSync(storePathRootDir, { recursive: true, force: true });
  process.exit(0);
});
