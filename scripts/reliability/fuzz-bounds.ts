/** What a fuzz run must show, shared by the test and the script. */
import type { FrameFuzzSummary } from './frame-fuzz';

/** Heap growth allowed across a fuzz run (after a full GC): state the fuzz legitimately creates (topics, groups) fits easily. */
export const FUZZ_HEAP_GROWTH_BYTES_MAX = 64 * 1024 * 1024;
/** RSS growth allowed (allocator pools, socket buffers, page cache of the store are not all returned). */
export const FUZZ_RSS_GROWTH_BYTES_MAX = 256 * 1024 * 1024;
/** Sockets still open after every fuzz connection closed, beyond those open before (none may leak). */
export const FUZZ_SOCKET_GROWTH_MAX = 0;

export function fuzzVerdict(summary: FrameFuzzSummary): string[] {
  const problems: string[] = [];
  if (!summary.processAlive) problems.push('the NameServer/Broker process died');
  if (summary.childErrors.length > 0) problems.push(`the process logged errors: ${summary.childErrors.slice(0, 3).join(' | ')}`);
  const faults = Object.entries(summary.processorFaults);
  if (faults.length > 0) problems.push(`processors failed on input they did not expect: ${faults.slice(0, 5).map(([fault, n]) => `${fault} (x${n})`).join(' | ')}`);
  if (summary.goodFailures.length > 0) problems.push(`the well-behaved client failed: ${summary.goodFailures.slice(0, 3).join(' | ')}`);
  if (summary.memoryAfter.heapUsed - summary.memoryBefore.heapUsed > FUZZ_HEAP_GROWTH_BYTES_MAX) problems.push(`heap grew ${summary.memoryAfter.heapUsed - summary.memoryBefore.heapUsed} bytes`);
  if (summary.memoryAfter.rss - summary.memoryBefore.rss > FUZZ_RSS_GROWTH_BYTES_MAX) problems.push(`RSS grew ${summary.memoryAfter.rss - summary.memoryBefore.rss} bytes`);
  if (summary.socketsAfter - summary.socketsBefore > FUZZ_SOCKET_GROWTH_MAX) problems.push(`open sockets grew from ${summary.socketsBefore} to ${summary.socketsAfter}`);
  return problems;
}
