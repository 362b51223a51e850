/**
 * The broker PROCESS is SIGKILLed at random moments while this process sends with the project's Producer and
 * a consumer group commits offsets (crash-under-load.ts): 20 kills under SYNC_FLUSH (plus kills during
 * recovery), then 5 under ASYNC_FLUSH, where a kill -9 must lose nothing either (acknowledged means handed to
 * the OS). 8 MiB commit-log files, so kills also land around file rolls.
 */
import { describe, expect, it } from 'vitest';
import { runCrashUnderLoad, type CrashUnderLoadSummary } from './crash-under-load';

function expectNothingLost(summary: CrashUnderLoadSummary, kills: number): void {
  expect(summary.lost, summary.lost.slice(0, 5).join('\n')).toEqual([]);
  expect(summary.kills).toBeGreaterThanOrEqual(kills);
  expect(summary.restarts).toBe(kills);
  expect(summary.abnormalRecoveries).toBe(kills);
  expect(summary.acknowledged).toBeGreaterThan(kills * 10);
  expect(summary.offsets.commitsAcknowledged).toBeGreaterThan(kills);
  expect(summary.offsets.belowPersisted).toBe(0);
  expect(summary.offsets.aheadOfCommitted).toBe(0);
  expect(summary.consumedAllAcknowledged).toBe(true);
}

describe('SIGKILL of the broker process under load', () => {
  it('SYNC_FLUSH, 20 kills: every acknowledged message is where its SendResult said, offsets step back at most the unpersisted interval', async () => {
    const summary = await runCrashUnderLoad({ kills: 20, flushDiskType: 'SYNC_FLUSH', senders: 6, runMsMin: 100, runMsMax: 700, commitLogFileBytes: 8 * 1024 * 1024 });
    console.log(`crash under load (SYNC_FLUSH): ${JSON.stringify({ ...summary, lost: summary.lost.length })}`);
    expectNothingLost(summary, 20);
  }, 170_000);

  it('ASYNC_FLUSH, 5 kills: kill -9 loses nothing acknowledged; the power-loss exposure is measured', async () => {
    const summary = await runCrashUnderLoad({ kills: 5, flushDiskType: 'ASYNC_FLUSH', senders: 6, runMsMin: 300, runMsMax: 900, killDuringRecoveryEvery: 0, commitLogFileBytes: 8 * 1024 * 1024 });
    console.log(`crash under load (ASYNC_FLUSH): ${JSON.stringify({ ...summary, lost: summary.lost.length })}`);
    expectNothingLost(summary, 5);
    expect(summary.unflushed!.samples).toBeGreaterThan(0);
  }, 90_000);
});
