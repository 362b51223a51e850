/**
 * `npm run bench:acl`: what the broker ACL costs. Not a test: nothing is asserted.
 *   1. the check alone (parse the request, HmacSHA1 over its fields and body, permissions), per second,
 *      for a signed 1 KiB SEND_MESSAGE_V2;
 *   2. sends per second through the real protocol (Rocketdeck Producer, 64 in flight, 1 KiB bodies) to a broker
 *      with ACL off (the baseline) and to one with ACL on and a signing producer, in alternating rounds of one run.
 * Env: BENCH_DURATION_MS (5000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signRequest } from '../../broker-core/acl/acl-signer';
import { parseAccessResource, validateAccess } from '../../broker-core/acl/plain-access-validator';
import { parsePlainAcl } from '../../broker-core/acl/plain-acl-file';
import type { SessionCredentials } from '../../broker-core/acl/acl-signer';
import { AdminClient } from '../../broker-core/client/admin-client';
import { Producer } from '../../broker-core/client/producer';
import { createRequest } from '../../broker-core/protocol/remoting-command';
import { RequestCode } from '../../broker-core/protocol/request-code';
import { decodeRequest } from '../../broker-core/protocol/requests';
import { startTestCluster } from '../../broker-core/testing/start-test-cluster';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const IN_FLIGHT = 64;
const BODY = Buffer.alloc(1024, 'x');
const ACCOUNT: SessionCredentials = { accessKey: 'bench_account', secretKey: 'bench_secret' };
const ACL_TEXT = `accounts:\n  - accessKey: ${ACCOUNT.accessKey}\n    secretKey: ${ACCOUNT.secretKey}\n    admin: true\n    defaultTopicPerm: DENY\n    topicPerms: [BenchTopic=PUB|SUB]\n`;

function checksPerSecond(): number {
  const { acl } = parsePlainAcl(ACL_TEXT);
  const request = signRequest(createRequest(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: 'BenchTopic', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, i: 'KEYS\u0001k\u0002', j: 0, k: false, m: false }, BODY), ACCOUNT);
  const until = Date.now() + DURATION_MS;
  let n = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 1000; i++) if (!validateAccess(acl, parseAccessResource(request, '127.0.0.1:4000', decodeRequest(request))).allowed) throw new Error('refused');
    n += 1000;
  }
  return n / (DURATION_MS / 1000);
}

interface Target {
  producer: Producer;
  close(): Promise<void>;
}

async function startTarget(aclOn: boolean): Promise<Target> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-acl-bench-'));
  const aclFile = path.join(dir, 'plain_acl.yml');
  fs.writeFileSync(aclFile, ACL_TEXT);
  const cluster = await startTestCluster({ broker: { aclEnable: aclOn, aclFile } });
  const credentials = aclOn ? ACCOUNT : undefined;
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr, credentials });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_acl_bench', credentials });
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'BenchTopic', readQueueNums: 8, writeQueueNums: 8, perm: 6 });
  await producer.start();
  await producer.send({ topic: 'BenchTopic', body: BODY });
  return {
    producer,
    async close() {
      await producer.shutdown();
      await admin.close();
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sendsPerSecond(producer: Producer, durationMs: number): Promise<number> {
  const until = Date.now() + durationMs;
  let sent = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (Date.now() < until) {
      await producer.send({ topic: 'BenchTopic', body: BODY });
      sent++;
    }
  }));
  return sent / (durationMs / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const checks = checksPerSecond();
// Alternate short rounds so a busy neighbour on the machine weighs on both sides alike.
const ROUNDS = 5;
const off = await startTarget(false);
const on = await startTarget(true);
const offRates: number[] = [];
const onRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  offRates.push(await sendsPerSecond(off.producer, DURATION_MS / ROUNDS));
  onRates.push(await sendsPerSecond(on.producer, DURATION_MS / ROUNDS));
}
await off.close();
await on.close();
process.stdout.write(`ACL check alone (signed 1 KiB SEND_MESSAGE_V2): ${fmt(checks)} checks/s (${(1e6 / checks).toFixed(1)} µs each)\n`);
process.stdout.write(`sends/s, 1 KiB, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds of ${DURATION_MS / ROUNDS} ms each, median [rounds]:\n`);
process.stdout.write(`  ACL off (baseline)        ${fmt(median(offRates))}  [${offRates.map(fmt).join(', ')}]\n`);
process.stdout.write(`  ACL on, signed producer   ${fmt(median(onRates))}  [${onRates.map(fmt).join(', ')}]  (${((median(onRates) / median(offRates) - 1) * 100).toFixed(1)}%)\n`);
process.exit(0);
