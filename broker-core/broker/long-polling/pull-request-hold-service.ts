/**
 * Long polling: a pull that found nothing is held until a message for its queue arrives, or until its
 * suspend timeout, then re-run once. Bounded by HELD_PULL_REQUESTS_MAX. A pull whose connection closes is let
 * go at once (connectionGone), so a client that went away does not keep a slot until its timeout.
 */
import { HELD_PULL_RECHECK_INTERVAL_MS, HELD_PULL_REQUESTS_MAX, HELD_PULL_TIMEOUT_MS_MAX } from '../../config/limits';
import type { RemotingCommand } from '../../protocol/remoting-command';
import type { Logger } from '../../util/logger';

interface HeldPull {
  key: string;
  connectionId: string | undefined;
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
  /** The same pulls by the connection they came on. */
  readonly #byConnection = new Map<string, Set<HeldPull>>();
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

  hold(topic: string, queueId: number, queueOffset: number, timeoutMs: number, filter: HeldPull['filter'], rerun: HeldPull['rerun'], connectionId?: string): Promise<RemotingCommand> {
    const key = `${topic}@${queueId}`;
    const waitMs = Math.max(0, Math.min(timeoutMs, HELD_PULL_TIMEOUT_MS_MAX));
    return new Promise<RemotingCommand>((resolve) => {
      const pull: HeldPull = {
        key,
        connectionId,
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
      if (connectionId !== undefined) {
        let mine = this.#byConnection.get(connectionId);
        if (!mine) {
          mine = new Set();
          this.#byConnection.set(connectionId, mine);
        }
        mine.add(pull);
      }
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

  /** The connection closed: its held pulls are answered now (the re-run sees the closed connection and reads nothing). */
  connectionGone(connectionId: string): void {
    const mine = this.#byConnection.get(connectionId);
    if (!mine) return;
    for (const pull of [...mine]) this.#wake(pull.key, pull);
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
    if (pull.connectionId !== undefined) {
      const mine = this.#byConnection.get(pull.connectionId);
      if (mine?.delete(pull) && mine.size === 0) this.#byConnection.delete(pull.connectionId);
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
