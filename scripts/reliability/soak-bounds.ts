/** What a soak must show, shared by the test and the script. */
import type { SoakSummary } from './soak-run';

/** Broker RSS growth allowed from the baseline sample (taken once the load is up) to the last one. */
export const SOAK_RSS_GROWTH_BYTES_MAX = 128 * 1024 * 1024;
/** Descriptors allowed beyond the baseline (every consume-queue file is open before it; a leak grows with time). */
export const SOAK_FD_GROWTH_MAX = 16;

export function soakVerdict(summary: SoakSummary): string[] {
  const problems: string[] = [];
  const { baseline, final } = summary;
  if (final.rssBytes - baseline.rssBytes > SOAK_RSS_GROWTH_BYTES_MAX) problems.push(`broker RSS grew from ${baseline.rssBytes} to ${final.rssBytes} bytes`);
  if (final.fds - baseline.fds > SOAK_FD_GROWTH_MAX) problems.push(`broker descriptors grew from ${baseline.fds} to ${final.fds}`);
  if (final.sockets > baseline.sockets) problems.push(`broker sockets grew from ${baseline.sockets} to ${final.sockets}`);
  if (summary.heldPullsMax > summary.heldPullsLimit) problems.push(`held pulls reached ${summary.heldPullsMax}, over the ${summary.heldPullsLimit} bound`);
  if (summary.heldPullsMax <= 0) problems.push('no pull was ever held: the long-polling load did not run');
  if (summary.samplesWithIdleGroupMissing > 0) problems.push(`an idle (heartbeating) client was missing from its group in ${summary.samplesWithIdleGroupMissing} samples`);
  if (summary.killedClientGoneMs === null) problems.push('the SIGKILLed client was never removed from its group');
  if (summary.stoppedClientGoneMs === null) problems.push('the SIGSTOPped client was never removed from its group');
  if (summary.consumed === 0) problems.push('nothing was consumed');
  if (summary.brokerErrors.length > 0) problems.push(`the broker logged errors: ${summary.brokerErrors.slice(0, 3).join(' | ')}`);
  return problems;
}
