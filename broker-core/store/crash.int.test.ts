/**
 * Crash test: a child process appends under SYNC_FLUSH and reports every acknowledged message; the test
 * kills it with SIGKILL at random moments, recovers the store and checks that every acknowledged message
 * reads back intact where it was acknowledged, and that no partial record is visible. 20 rounds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readStoredRecord } from '../broker/message/message-util';
import { DefaultMessageStore } from './default-message-store';
import { bodyCrc } from './record';
import { crashTestBody, CRASH_TEST_QUEUES, CRASH_TEST_STORE_OPTIONS, CRASH_TEST_TOPIC } from './testing/crash-test-shape';

const here = path.dirname(fileURLToPath(import.meta.url));
const writerScript = path.join(here, 'testing', 'crash-writer.ts');
const ROUNDS = 20;

interface Ack {
  seq: number;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has been up for `runMs`, then SIGKILLs it; returns the acknowledged messages. */
function runAndKill(firstSeq: number, runMs: number): Promise<{ acks: Ack[]; ready: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, String(firstSeq), '16'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!ready) {
        const line = out.split('\n').find((l) => l.startsWith('ready'));
        if (line) {
          ready = line;
          setTimeout(() => child.kill('SIGKILL'), runMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (!ready) return reject(new Error(`writer never became ready (signal ${signal}): ${err.slice(0, 2000)}`));
      const lines = out.split('\n');
      lines.pop(); // possibly cut mid-line by the kill
      const fails = lines.filter((l) => l.startsWith('fail'));
      if (fails.length > 0) return reject(new Error(`writer saw failed puts: ${fails.slice(0, 3).join('; ')}`));
      const acks = lines.filter((l) => l.startsWith('ack ')).map((l) => {
        const [, seq, queueId, queueOffset, commitLogOffset] = l.split(' ').map(Number);
        return { seq: seq!, queueId: queueId!, queueOffset: queueOffset!, commitLogOffset: commitLogOffset! };
      });
      resolve({ acks, ready });
    });
  });
}

describe('store crash safety under SIGKILL (SYNC_FLUSH)', () => {
  it(`loses no acknowledged message over ${ROUNDS} kills and shows no partial record`, async () => {
    const acked = new Map<number, Ack>();
    let nextSeq = 0;
    let abnormalRecoveries = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { acks, ready } = await runAndKill(nextSeq, 50 + Math.floor(Math.random() * 400));
      if (round > 0) expect(ready).toMatch(/normal recovery|abnormal recovery/);
      for (const a of acks) acked.set(a.seq, a);
      // This round's acknowledgements, and a sample of earlier ones (all of them in the last round).
      const older = [...acked.values()].filter((a) => a.seq < nextSeq);
      const toCheck = round === ROUNDS - 1 ? [...acked.values()] : [...acks, ...Array.from({ length: Math.min(200, older.length) }, () => older[Math.floor(Math.random() * older.length)]!)];
      nextSeq += 100_000; // fresh sequence space per round: unacknowledged seqs of the killed run are never reused

      // Recover in this process and verify.
      const store = new DefaultMessageStore({ storePathRootDir: dir, flushDiskType: 'SYNC_FLUSH', ...CRASH_TEST_STORE_OPTIONS });
      await store.start();
      if (/abnormal/.test(store.recoveryReport)) abnormalRecoveries++;
      try {
        for (const a of toCheck) {
          const r = store.getMessage('verify', CRASH_TEST_TOPIC, a.queueId, a.queueOffset, 1);
          expect(r.status, `seq ${a.seq} at ${a.queueId}/${a.queueOffset} (${store.recoveryReport})`).toBe('FOUND');
          const rec = readStoredRecord(r.messages[0]!);
          expect(rec.commitLogOffset).toBe(a.commitLogOffset);
          expect(rec.body.equals(crashTestBody(a.seq))).toBe(true);
        }
        // Every visible record is whole: CRC, offsets and queue positions consistent.
        for (let q = 0; q < CRASH_TEST_QUEUES && (round % 5 === 4 || round === ROUNDS - 1); q++) {
          let offset = store.getMinOffsetInQueue(CRASH_TEST_TOPIC, q);
          for (;;) {
            const r = store.getMessage('verify', CRASH_TEST_TOPIC, q, offset, 32, undefined, 1 << 30);
            if (r.status !== 'FOUND') {
              expect(['OFFSET_OVERFLOW_ONE', 'NO_MESSAGE_IN_QUEUE']).toContain(r.status);
              break;
            }
            r.messages.forEach((m, i) => {
              const rec = readStoredRecord(m);
              expect(rec.storeSize).toBe(m.length);
              expect(rec.queueOffset).toBe(r.queueOffsets[i]);
              expect(bodyCrc(rec.body)).toBe(m.readInt32BE(8));
              const seq = Number(/^seq:(\d+):/.exec(rec.body.toString('latin1', 0, 20))?.[1]);
              expect(rec.body.equals(crashTestBody(seq))).toBe(true);
            });
            offset = r.nextBeginOffset;
          }
        }
        // The index still finds an acknowledged message by key.
        const sample = [...acked.values()][Math.floor(Math.random() * acked.size)];
        if (sample) expect(store.queryMessage(CRASH_TEST_TOPIC, `seq-${sample.seq}`, 4, 0, Date.now() + 1000).messages.length).toBe(1);
      } finally {
        // Every other round leaves the store as a crash would, so the writer also recovers abnormally.
        if (round % 2 === 0) await store.shutdown();
        else store.closeAbruptly();
      }
    }
    expect(acked.size).toBeGreaterThan(ROUNDS * 10);
    console.log(`crash test: ${ROUNDS} SIGKILLs, ${acked.size} acknowledged messages, all read back intact`);
    expect(abnormalRecoveries).toBe(ROUNDS);
  }, 180_000);
});
