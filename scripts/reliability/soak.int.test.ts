/**
 * A short soak (soak-run.ts): 40 client connections, 150 topics, 30 groups for 30 s against `rocketdeck broker`
 * with a 5 s idle-channel limit and 1 s heartbeats. Idle clients that heartbeat stay; a SIGKILLed client leaves
 * at once and a SIGSTOPped one once its silent connection passes the idle limit; held pulls stay under their
 * bound; RSS, descriptors and sockets do not grow from the loaded baseline. `soak.ts` runs the 5-minute version.
 */
import { expect, it } from 'vitest';
import { runSoak } from './soak-run';
import { soakVerdict } from './soak-bounds';

it('holds 40 connections, 150 topics and 30 groups for 30 s; idle clients stay, dead ones go', async () => {
  const summary = await runSoak({
    durationMs: 30_000, connections: 40, topics: 150, groups: 30, idleTimeoutSeconds: 5, heartbeatIntervalMs: 1_000, sendRatePerSecond: 100, sampleIntervalMs: 2_000,
  });
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  console.log(
    `soak: ${summary.clientInstances} clients, ${summary.topics} topics, ${summary.groups} groups; RSS MiB ${summary.samples.map((s) => mib(s.rssBytes)).join(' ')}; ` +
      `fds ${summary.samples.map((s) => s.fds).join(' ')}; held pulls max ${summary.heldPullsMax}/${summary.heldPullsLimit}; ` +
      `killed client gone after ${summary.killedClientGoneMs} ms, frozen one after ${summary.stoppedClientGoneMs} ms; sent ${summary.sent}, consumed ${summary.consumed}`,
  );
  expect(soakVerdict(summary)).toEqual([]);
  expect(summary.clientInstances).toBeGreaterThanOrEqual(40);
  // The frozen client is dropped by the idle-channel limit, not by a closed socket: not before the limit.
  expect(summary.stoppedClientGoneMs!).toBeGreaterThanOrEqual(summary.idleTimeoutSeconds * 1000 - 1_500);
}, 150_000);
