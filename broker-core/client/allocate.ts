/**
 * RocketMQ's AllocateMessageQueueAveragely (protocol.md §6.2): queues sorted by (topic, broker, queue id),
 * client ids sorted; each client takes a contiguous run, the first `n % c` clients one more queue.
 * Identical in the Java client and ali-ons, so mixed groups agree on who owns what.
 */
import { compareQueues, type MessageQueue } from './client-instance';

export type AllocateStrategy = (mqAll: readonly MessageQueue[], cidAll: readonly string[], currentCid: string) => MessageQueue[];

export const allocateAveragely: AllocateStrategy = (mqAll, cidAll, currentCid) => {
  const queues = [...mqAll].sort(compareQueues);
  const cids = [...cidAll].sort();
  const index = cids.indexOf(currentCid);
  if (index < 0 || queues.length === 0) return [];
  const n = queues.length;
  const c = cids.length;
  const mod = n % c;
  const size = n <= c ? 1 : mod > 0 && index < mod ? Math.floor(n / c) + 1 : Math.floor(n / c);
  const start = mod > 0 && index < mod ? index * size : index * size + mod;
  const range = Math.min(size, n - start);
  const out: MessageQueue[] = [];
  for (let k = 0; k < range; k++) out.push(queues[(start + k) % n]!);
  return out;
};
