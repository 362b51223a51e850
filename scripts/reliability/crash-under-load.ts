/**
 * Crash safety through the real protocol. A NameServer and a Broker run as two child processes (the product's
 * `rocketdeck namesrv` / `rocketdeck broker -c broker.properties`); this process is the load: the project's
 * Producer sends from several concurrent loops, a PullConsumer group consumes and commits its offsets
 * (UPDATE_CONSUMER_OFFSET, answered) as it goes. At a random moment the BROKER PROCESS gets SIGKILL; it is
 * restarted on the same store with the same command (no repair step), and then:
 *   - every SEND_OK so far is pulled back at exactly the queue and queue offset its SendResult named, with
 *     its msgId (UNIQ_KEY), commit-log offset and body intact;
 *   - each queue's committed offset is not below what the broker had persisted in consumerOffset.json just
 *     before the kill (only commits of the last, unpersisted flush interval may be lost) and not above the
 *     last commit the broker acknowledged;
 *   - every few rounds the restarted broker is killed again during its own recovery.
 * At the end the group has consumed every acknowledged message at least once.
 * Under ASYNC_FLUSH it also samples GET_BROKER_RUNTIME_INFO (commitLogMaxOffset, remainHowManyDataToFlush)
 * to measure what a power loss could take: acknowledged messages not yet fdatasync'ed, and how old they were.
 * Used by crash-under-load.int.test.ts (20 kills) and kill-loop.ts (100 kills, printed summary).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeOffsetMsgId, AdminClient } from '../../broker-core/client/admin-client';
import type { MessageQueue } from '../../broker-core/client/client-instance';
import { Producer } from '../../broker-core/client/producer';
import { PullConsumer } from '../../broker-core/client/pull-consumer';
import { readJsonFile } from '../../broker-core/broker/config/json-file';
import { crashTestBody } from '../../broker-core/store/testing/crash-test-shape';
import { BROKER_BOOT_SUCCESS, freeBrokerPort, freePort, spawnBrokerProcess, startBrokerProcess, startNamesrvProcess, type ServerProcess } from '../../broker-core/testing/server-processes';
import { waitFor } from '../../broker-core/testing/wait-for';
import { errorMessage } from '../../broker-core/util/errors';

export interface CrashUnderLoadOptions {
  kills: number;
  flushDiskType: 'SYNC_FLUSH' | 'ASYNC_FLUSH';
  /** Concurrent send loops (default 8). */
  senders?: number;
  queues?: number;
  /** The broker is killed this long after it is up: uniform in [min, max] ms (default 150..1200). */
  runMsMin?: number;
  runMsMax?: number;
  /** Every n-th restart is itself killed during recovery, before it is up (default 5; 0 = never). */
  killDuringRecoveryEvery?: number;
  /** flushConsumerOffsetInterval of the broker (default 500 ms). */
  offsetFlushIntervalMs?: number;
  /** flushIntervalCommitLog of the broker under ASYNC_FLUSH (default 500 ms, RocketMQ's). */
  flushIntervalCommitLogMs?: number;
  /** mappedFileSizeCommitLog of the broker (default 64 MiB, so that kills also land near file rolls). */
  commitLogFileBytes?: number;
  /** Progress lines (one per round). */
  log?: (line: string) => void;
}

interface Ack {
  seq: number;
  msgId: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  ackAt: number;
}

interface Commit {
  queueId: number;
  consumerOffset: number;
  ackAt: number;
}

interface StoredEntry {
  msgId: string;
  commitLogOffset: number;
  bodyIntact: boolean;
}

export interface CrashUnderLoadSummary {
  flushDiskType: string;
  kills: number;
  /** Of the kills, how many hit a broker still recovering (before "boot success"). */
  killsDuringRecovery: number;
  restarts: number;
  /** Restarts whose store reported an abnormal recovery (abort marker found): every restart after a kill should. */
  abnormalRecoveries: number;
  acknowledged: number;
  /** Sum over restarts of acknowledged messages pulled back and checked after that restart. */
  verifications: number;
  lost: string[];
  sendFailures: number;
  brokerStartMs: { median: number; max: number };
  offsets: {
    commitsAcknowledged: number;
    /** Restored offsets below the file the broker had persisted before the kill (must be 0). */
    belowPersisted: number;
    /** Restored offsets above the last acknowledged commit (must be 0). */
    aheadOfCommitted: number;
    /** Largest step back (messages) of a queue's offset across a kill, and the age of the oldest lost commit. */
    maxRegressionMessages: number;
    maxLostCommitAgeMs: number;
  };
  consumedAllAcknowledged: boolean;
  consumedDuplicates: number;
  /** ASYNC_FLUSH only: acknowledged-but-not-fdatasync'ed exposure seen in runtime-info samples. */
  unflushed?: { samples: number; maxBytes: number; maxAckedMessages: number; maxAckedAgeMs: number; flushIntervalCommitLogMs: number };
  durationMs: number;
}

const TOPIC = 'CrashLoadTopic';
const PRODUCER_GROUP = 'PG_crash_load';
const CONSUMER_GROUP = 'CG_crash_load';
const VERIFY_GROUP = 'CG_crash_verify';
const BROKER_NAME = 'broker-crash';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function runCrashUnderLoad(options: CrashUnderLoadOptions): Promise<CrashUnderLoadSummary> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const senders = options.senders ?? 8;
  const queueCount = options.queues ?? 4;
  const runMsMin = options.runMsMin ?? 150;
  const runMsMax = options.runMsMax ?? 1200;
  const recoveryKillEvery = options.killDuringRecoveryEvery ?? 5;
  const flushIntervalCommitLogMs = options.flushIntervalCommitLogMs ?? 500;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-crash-load-'));
  const storeDir = path.join(dir, 'store');
  const namesrvAddr = `127.0.0.1:${await freePort()}`;
  const brokerPort = await freeBrokerPort();
  const brokerAddr = `127.0.0.1:${brokerPort}`;
  const properties = {
    brokerClusterName: 'CrashCluster',
    brokerName: BROKER_NAME,
    listenPort: brokerPort,
    brokerIP1: '127.0.0.1',
    storePathRootDir: storeDir,
    flushDiskType: options.flushDiskType,
    flushConsumerOffsetInterval: options.offsetFlushIntervalMs ?? 500,
    flushIntervalCommitLog: flushIntervalCommitLogMs,
    autoCreateTopicEnable: false,
    mappedFileSizeCommitLog: options.commitLogFileBytes ?? 64 * 1024 * 1024,
  };

  const startTimes: number[] = [];
  let abnormalRecoveries = 0;
  let restarts = 0;
  let killsDuringRecovery = 0;
  const startBroker = async (): Promise<ServerProcess> => {
    const t0 = Date.now();
    const proc = await startBrokerProcess(namesrvAddr, dir, properties);
    startTimes.push(Date.now() - t0);
    return proc;
  };

  let namesrv: ServerProcess | undefined;
  let broker: ServerProcess | undefined;
  const admin = new AdminClient({ namesrvAddr });
  const producer = new Producer({ namesrvAddr, groupName: PRODUCER_GROUP, sendMsgTimeoutMs: 3_000 });
  const consumer = new PullConsumer({ namesrvAddr, groupName: CONSUMER_GROUP });
  const verifier = new PullConsumer({ namesrvAddr, groupName: VERIFY_GROUP });
  const acks: Ack[] = [];
  const commits: Commit[] = [];
  const consumed = new Map<string, number>();
  const lost: string[] = [];
  let sendFailures = 0;
  let verifications = 0;
  let seq = 0;
  const offsetStats = { belowPersisted: 0, aheadOfCommitted: 0, maxRegressionMessages: 0, maxLostCommitAgeMs: 0 };
  const unflushed = { samples: 0, maxBytes: 0, maxAckedMessages: 0, maxAckedAgeMs: 0, flushIntervalCommitLogMs };

  try {
    namesrv = await startNamesrvProcess(Number(namesrvAddr.split(':')[1]), path.join(dir, 'namesrv-home'));
    broker = await startBroker();
    await admin.createOrUpdateTopic(brokerAddr, { topicName: TOPIC, readQueueNums: queueCount, writeQueueNums: queueCount, perm: 6 });
    await waitFor(async () => ((await admin.getTopicRoute(TOPIC))?.queueDatas.length ?? 0) > 0, { message: 'topic route never reached the NameServer' });
    await Promise.all([producer.start(), consumer.start(), verifier.start()]);
    const queues = await consumer.fetchSubscribeMessageQueues(TOPIC);
    const positions = new Map<number, number>(queues.map((q) => [q.queueId, 0]));

    for (let round = 0; round < options.kills; round++) {
      // ---- load: senders, the consumer group, and (ASYNC) the flush sampler, until the kill
      let running = true;
      const roundAcks: Ack[] = [];
      const roundCommits: Commit[] = [];
      const sender = async () => {
        while (running) {
          const mine = seq++;
          try {
            const result = await producer.send({ topic: TOPIC, body: crashTestBody(mine), keys: `seq-${mine}` });
            const ack: Ack = {
              seq: mine,
              msgId: result.msgId,
              queueId: result.messageQueue.queueId,
              queueOffset: result.queueOffset,
              commitLogOffset: decodeOffsetMsgId(result.offsetMsgId)?.commitLogOffset ?? -1,
              ackAt: Date.now(),
            };
            if (result.sendStatus === 'SEND_OK') {
              acks.push(ack);
              roundAcks.push(ack);
            } else sendFailures++;
          } catch {
            sendFailures++;
            if (running) await sleep(10);
          }
        }
      };
      const consume = async () => {
        while (running) {
          let found = 0;
          for (const mq of queues) {
            if (!running) break;
            try {
              const offset = positions.get(mq.queueId)!;
              const result = await consumer.pull(mq, '*', offset, 32);
              for (const message of result.msgFoundList) consumed.set(message.msgId, (consumed.get(message.msgId) ?? 0) + 1);
              found += result.msgFoundList.length;
              if (result.nextBeginOffset !== offset) {
                positions.set(mq.queueId, result.nextBeginOffset);
                await consumer.updateConsumeOffset(mq, result.nextBeginOffset);
                const commit = { queueId: mq.queueId, consumerOffset: result.nextBeginOffset, ackAt: Date.now() };
                commits.push(commit);
                roundCommits.push(commit);
              }
            } catch {
              // the broker is being killed: the loop ends with the round
            }
          }
          if (found === 0 && running) await sleep(20);
        }
      };
      const sample = async () => {
        while (running && options.flushDiskType === 'ASYNC_FLUSH') {
          try {
            const info = await admin.getBrokerRuntimeInfo(brokerAddr);
            const at = Date.now();
            const remain = Number(info.remainHowManyDataToFlush);
            const flushedOffset = Number(info.commitLogMaxOffset) - remain;
            let exposed = 0;
            let oldest = at;
            for (const ack of roundAcks) {
              if (ack.ackAt <= at && ack.commitLogOffset >= flushedOffset) {
                exposed++;
                oldest = Math.min(oldest, ack.ackAt);
              }
            }
            unflushed.samples++;
            unflushed.maxBytes = Math.max(unflushed.maxBytes, remain);
            unflushed.maxAckedMessages = Math.max(unflushed.maxAckedMessages, exposed);
            unflushed.maxAckedAgeMs = Math.max(unflushed.maxAckedAgeMs, at - oldest);
          } catch {
            // killed mid-request
          }
          await sleep(25);
        }
      };
      const loops = [...Array.from({ length: senders }, sender), consume(), sample()];
      await sleep(runMsMin + Math.random() * (runMsMax - runMsMin));

      // ---- the kill, right after reading what the broker has persisted of the group's offsets
      const persisted = persistedOffsets(storeDir);
      const killAt = Date.now();
      await broker.kill();
      running = false;
      await Promise.all(loops);

      // ---- restart with the same command; sometimes kill it again while it recovers
      if (recoveryKillEvery > 0 && round % recoveryKillEvery === recoveryKillEvery - 1) {
        const early = spawnBrokerProcess(namesrvAddr, dir, properties);
        await sleep(median(startTimes) * (0.5 + Math.random() * 0.5));
        const wasUp = BROKER_BOOT_SUCCESS.test(early.output());
        await early.kill();
        if (!wasUp) killsDuringRecovery++;
      }
      broker = await startBroker();
      restarts++;
      const recovery = /store recover(?:y|ed) \{"report":"([^"]*)"/.exec(broker.output())?.[1] ?? '(no recovery line)';
      if (/abnormal recovery/.test(recovery)) abnormalRecoveries++;

      // ---- every acknowledged message, where its SendResult said
      const stored = await scanQueues(verifier, queues);
      for (const ack of acks) {
        const entry = stored.get(ack.queueId)?.get(ack.queueOffset);
        if (!entry || entry.msgId !== ack.msgId || entry.commitLogOffset !== ack.commitLogOffset || !entry.bodyIntact) {
          lost.push(`round ${round}: seq ${ack.seq} ${ack.msgId} at ${ack.queueId}/${ack.queueOffset} -> ${entry ? `${entry.msgId} @${entry.commitLogOffset} intact=${entry.bodyIntact}` : 'nothing'}`);
        }
      }
      verifications += acks.length;

      // ---- consumer offsets: not below the persisted file, not above the last acknowledged commit
      for (const mq of queues) {
        const restored = await consumer.fetchConsumeOffset(mq);
        const floor = persisted.get(mq.queueId) ?? -1;
        const mine = roundCommits.filter((c) => c.queueId === mq.queueId);
        const lastCommitted = mine.length > 0 ? mine[mine.length - 1]!.consumerOffset : positions.get(mq.queueId)!;
        if (restored < floor) offsetStats.belowPersisted++;
        if (restored > Math.max(lastCommitted, floor)) offsetStats.aheadOfCommitted++;
        const firstLost = mine.find((c) => c.consumerOffset > restored);
        if (firstLost) {
          offsetStats.maxRegressionMessages = Math.max(offsetStats.maxRegressionMessages, lastCommitted - Math.max(restored, 0));
          offsetStats.maxLostCommitAgeMs = Math.max(offsetStats.maxLostCommitAgeMs, killAt - firstLost.ackAt);
        }
        positions.set(mq.queueId, Math.max(restored, 0));
      }
      log(
        `round ${round + 1}/${options.kills}: ${roundAcks.length} acked (${acks.length} in all, ${lost.length} lost), ` +
          `${roundCommits.length} commits, broker up in ${startTimes[startTimes.length - 1]} ms, ${recovery}`,
      );
    }

    // ---- the group catches up and has seen every acknowledged message
    const missing = () => acks.filter((ack) => !consumed.has(ack.msgId));
    await waitFor(
      async () => {
        for (const mq of queues) {
          const result = await consumer.pull(mq, '*', positions.get(mq.queueId)!, 32);
          for (const message of result.msgFoundList) consumed.set(message.msgId, (consumed.get(message.msgId) ?? 0) + 1);
          positions.set(mq.queueId, result.nextBeginOffset);
        }
        return missing().length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 0, message: () => `${missing().length} acknowledged messages never consumed` },
    ).catch((err: unknown) => log(errorMessage(err)));

    return {
      flushDiskType: options.flushDiskType,
      kills: options.kills + killsDuringRecovery,
      killsDuringRecovery,
      restarts,
      abnormalRecoveries,
      acknowledged: acks.length,
      verifications,
      lost,
      sendFailures,
      brokerStartMs: { median: median(startTimes), max: Math.max(...startTimes) },
      offsets: { commitsAcknowledged: commits.length, ...offsetStats },
      consumedAllAcknowledged: missing().length === 0,
      consumedDuplicates: [...consumed.values()].reduce((sum, n) => sum + n - 1, 0),
      ...(options.flushDiskType === 'ASYNC_FLUSH' ? { unflushed } : {}),
      durationMs: Date.now() - started,
    };
  } finally {
    await Promise.allSettled([producer.shutdown(), consumer.shutdown(), verifier.shutdown()]);
    await admin.close();
    await broker?.stop();
    await namesrv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The group's offsets as the broker last persisted them (config/consumerOffset.json, or its .bak). */
function persistedOffsets(storeDir: string): Map<number, number> {
  const raw = readJsonFile(path.join(storeDir, 'config', 'consumerOffset.json')) as { offsetTable?: Record<string, Record<string, number>> } | undefined;
  const queues = raw?.offsetTable?.[`${TOPIC}@${CONSUMER_GROUP}`] ?? {};
  return new Map(Object.entries(queues).map(([queueId, offset]) => [Number(queueId), Number(offset)]));
}

/** Pulls every queue from its first offset to its end: queue offset → what is stored there. */
async function scanQueues(verifier: PullConsumer, queues: MessageQueue[]): Promise<Map<number, Map<number, StoredEntry>>> {
  const out = new Map<number, Map<number, StoredEntry>>();
  for (const mq of queues) {
    const entries = new Map<number, StoredEntry>();
    out.set(mq.queueId, entries);
    let offset = await verifier.minOffset(mq);
    for (;;) {
      const result = await verifier.pull(mq, '*', offset, 32);
      if (result.pullStatus === 'OFFSET_ILLEGAL' && result.nextBeginOffset !== offset) {
        offset = result.nextBeginOffset;
        continue;
      }
      if (result.msgFoundList.length === 0) break;
      for (const message of result.msgFoundList) {
        const seq = Number(/^seq:(\d+):/.exec(message.body.toString('latin1', 0, 24))?.[1] ?? -1);
        entries.set(message.queueOffset, { msgId: message.msgId, commitLogOffset: message.commitLogOffset, bodyIntact: seq >= 0 && message.body.equals(crashTestBody(seq)) });
      }
      offset = result.nextBeginOffset;
    }
  }
  return out;
}
