/**
 * Long polling: a pull that found nothing is held until a message for its queue arrives, or until its
 * suspend timeout, then re-run once. Bounded by HELD_PULL_REQUESTS_MAX.
 */
import { HELD_PULL_RECHECK_INTERVAL_MS, HELD_PULL_REQUESTS_MAX, HELD_PULL_TIMEOUT_MS_MAX } from '../../config/limits';
import type { RemotingCommand } from '../../protocol/remoting-command';
import type { Logger } from '../../util/logger';

interface HeldPull {
  queueOffset: number;
  deadline: number;
  filter: ((tagsCode: number) => boolean) | undefined;
  rerun: () => Promise<RemotingCommand>;
  resolve: (response: RemotingCommand) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

export class PullRequestHoldService {
  readonly #held = new Map<string, Set<HeldPull>>();
  #count = 0;
  #recheckTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly maxOffset: (topic: string, queueId: number) => number,
  ) {}

  start(): void {
    this.#recheckTimer = setInterval(() => this.#recheckAll(), HELD_PULL_RECHECK_INTERVAL_MS);
    this.#recheckTimer.unref();
  }

  get heldCount(): number {
    return this.#count;
  }

  /** Whether another pull may be held. */
  hasCapacity(): boolean {
    return this.#count < HELD_PULL_REQUESTS_MAX;
  }

  hold(topic: string, queueId: number, queueOffset: number, timeoutMs: number, filter: HeldPull['filter'], rerun: HeldPull['rerun']): Promise<RemotingCommand> {
    const key = `${topic}@${queueId}`;
    const waitMs = Math.max(0, Math.min(timeoutMs, HELD_PULL_TIMEOUT_MS_MAX));
    return new Promise<RemotingCommand>((resolve) => {
      const pull: HeldPull = {
        queueOffset,
        deadline: Date.now() + waitMs,
        filter,
        rerun,
        resolve,
        done: false,
        timer: setTimeout(() => this.#wake(key, pull), waitMs),
      };
      let set = this.#held.get(key);
      if (!set) {
        set = new Set();
        this.#held.set(key, set);
      }
      set.add(pull);
      this.#count++;
      // A message may have arrived between the miss and the hold.
      if (this.maxOffset(topic, queueId) > queueOffset) this.#wake(key, pull);
    });
  }

  /** Store dispatch callback: wakes pulls waiting on (topic, queueId). */
  notifyMessageArriving(topic: string, queueId: number, maxQueueOffset: number, tagsCode?: number): void {
    const set = this.#held.get(`${topic}@${queueId}`);
    if (!set) return;
    for (const pull of [...set]) {
      if (maxQueueOffset <= pull.queueOffset) continue;
      if (tagsCode !== undefined && pull.filter && !pull.filter(tagsCode)) continue;
      this.#wake(`${topic}@${queueId}`, pull);
    }
  }

  #recheckAll(): void {
    for (const [key, set] of this.#held) {
      const at = key.lastIndexOf('@');
      const max = this.maxOffset(key.slice(0, at), Number(key.slice(at + 1)));
      for (const pull of [...set]) if (max > pull.queueOffset) this.#wake(key, pull);
    }
  }

  #wake(key: string, pull: HeldPull): void {
    if (pull.done) return;
    pull.done = true;
    clearTimeout(pull.timer);
    const set = this.#held.get(key);
    if (set?.delete(pull)) {
      this.#count--;
      if (set.size === 0) this.#held.delete(key);
    }
    pull.rerun().then(pull.resolve, (err: unknown) => {
      this.logger.warn('held pull re-run failed', { error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Answers every held pull now (shutdown). */
  shutdown(): void {
    if (this.#recheckTimer) clearInterval(this.#recheckTimer);
    for (const [key, set] of [...this.#held]) for (const pull of [...set]) this.#wake(key, pull);
  }
}
