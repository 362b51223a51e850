/**
 * `npx tsx scripts/reliability/kill-loop.ts [--kills 100] [--flush SYNC_FLUSH|ASYNC_FLUSH|both] [--senders 8]`
 * Runs crash-under-load.ts: the broker process is SIGKILLed under load `--kills` times (SYNC_FLUSH, then
 * ASYNC_FLUSH with `both`), and prints one line per round and a summary. Exit code 1 when an acknowledged
 * message was lost or misplaced, a consumer offset moved back past the persisted one, or the group missed a message.
 */
import { runCrashUnderLoad, type CrashUnderLoadSummary } from './crash-under-load';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const kills = Number(arg('kills', '100'));
const flush = arg('flush', 'both');
const senders = Number(arg('senders', '8'));
const modes = flush === 'both' ? (['SYNC_FLUSH', 'ASYNC_FLUSH'] as const) : ([flush as 'SYNC_FLUSH' | 'ASYNC_FLUSH'] as const);

function failed(summary: CrashUnderLoadSummary): boolean {
  return summary.lost.length > 0 || summary.offsets.belowPersisted > 0 || summary.offsets.aheadOfCommitted > 0 || !summary.consumedAllAcknowledged;
}

let bad = false;
for (const flushDiskType of modes) {
  process.stdout.write(`\n=== ${flushDiskType}: ${kills} SIGKILLs of the broker process under load (${senders} send loops) ===\n`);
  const summary = await runCrashUnderLoad({ kills, flushDiskType, senders, log: (line) => process.stdout.write(`${line}\n`) });
  const { unflushed, lost, ...rest } = summary;
  process.stdout.write(`\nsummary ${flushDiskType}:\n${JSON.stringify({ ...rest, lost: lost.length, firstLost: lost.slice(0, 5) }, null, 2)}\n`);
  if (unflushed) {
    process.stdout.write(
      `ASYNC_FLUSH exposure to a power loss (not to kill -9, which lost ${lost.length}): over ${unflushed.samples} samples of ` +
        `GET_BROKER_RUNTIME_INFO, at most ${unflushed.maxBytes} bytes written but not fdatasync'ed, at most ` +
        `${unflushed.maxAckedMessages} acknowledged messages among them, the oldest acknowledged ${unflushed.maxAckedAgeMs} ms earlier ` +
        `(flushIntervalCommitLog ${unflushed.flushIntervalCommitLogMs} ms)\n`,
    );
  }
  bad ||= failed(summary);
}
process.exit(bad ? 1 : 0);
