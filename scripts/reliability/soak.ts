/**
 * `npx tsx scripts/reliability/soak.ts [--minutes 5] [--connections 200] [--topics 1000] [--groups 200] [--idle-seconds 120]`
 * Runs soak-run.ts and prints the broker's RSS / descriptor / socket / held-pull series and a summary. Exit
 * code 1 if an idle client was dropped, a dead one was never forgotten, held pulls passed their bound, or RSS,
 * descriptors or sockets grew past the bounds the test uses (soak-bounds.ts).
 */
import { runSoak } from './soak-run';
import { soakVerdict } from './soak-bounds';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
}

const summary = await runSoak({
  durationMs: arg('minutes', 5) * 60_000,
  connections: arg('connections', 200),
  topics: arg('topics', 1000),
  groups: arg('groups', 200),
  idleTimeoutSeconds: arg('idle-seconds', 120),
  heartbeatIntervalMs: arg('heartbeat-ms', 30_000),
  sendRatePerSecond: arg('rate', 200),
  sampleIntervalMs: arg('sample-seconds', 10) * 1000,
  log: (line) => process.stdout.write(`${line}\n`),
});
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const { samples, ...rest } = summary;
process.stdout.write(`\nseries (t s, RSS MiB, fds, sockets, held pulls, client connections):\n`);
for (const s of samples) process.stdout.write(`${(s.atMs / 1000).toFixed(0)}\t${mib(s.rssBytes)}\t${s.fds}\t${s.sockets}\t${s.heldPulls}\t${s.clientConnections}\n`);
process.stdout.write(`\n${JSON.stringify({ ...rest, baseline: { ...rest.baseline }, final: { ...rest.final } }, null, 2)}\n`);
const problems = soakVerdict(summary);
for (const problem of problems) process.stdout.write(`PROBLEM: ${problem}\n`);
process.exit(problems.length === 0 ? 0 : 1);
