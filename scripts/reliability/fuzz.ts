/**
 * `npx tsx scripts/reliability/fuzz.ts [--frames 1000000] [--seed N] [--concurrency 32]`: frame-fuzz.ts for as
 * many frames as asked; prints the summary; exit code 1 if the process died, the good client failed, or memory
 * or descriptors grew past the bounds the test uses.
 */
import { runFrameFuzz } from './frame-fuzz';
import { fuzzVerdict } from './fuzz-bounds';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const summary = await runFrameFuzz({
  frames: Number(arg('frames') ?? 1_000_000),
  seed: arg('seed') === undefined ? undefined : Number(arg('seed')),
  concurrency: arg('concurrency') === undefined ? undefined : Number(arg('concurrency')),
  log: (line) => process.stdout.write(`${line}\n`),
});
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
process.stdout.write(`${JSON.stringify({ ...summary, goodFailures: summary.goodFailures.slice(0, 5) }, null, 2)}\n`);
process.stdout.write(
  `\n${summary.frames} frames (${summary.validFrames} with decodable headers, ${summary.corruptFrames} corrupt headers, ${summary.breakingFrames} broken framing; ${summary.answeredFrames} answered) over ${summary.connections} connections ` +
    `in ${(summary.durationMs / 1000).toFixed(1)} s = ${summary.framesPerSecond} frames/s; RSS ${mib(summary.memoryBefore.rss)} -> ${mib(summary.memoryAfter.rss)}, ` +
    `heap ${mib(summary.memoryBefore.heapUsed)} -> ${mib(summary.memoryAfter.heapUsed)}, fds ${summary.fdsBefore} -> ${summary.fdsAfter}, ` +
    `${summary.goodRoundTrips} good round trips, ${summary.goodFailures.length} failed, seed ${summary.seed}\n`,
);
const problems = fuzzVerdict(summary);
for (const problem of problems) process.stdout.write(`PROBLEM: ${problem}\n`);
process.exit(problems.length === 0 ? 0 : 1);
