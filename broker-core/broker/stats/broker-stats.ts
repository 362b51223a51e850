/** Per-second counters in fixed-size ring buffers (TPS over 10 s / 60 s / 600 s) and daily totals. */
import { STATS_KEYS_MAX, STATS_RING_SECONDS } from '../../config/limits';

export class PerSecondCounter {
  readonly #buckets = new Float64Array(STATS_RING_SECONDS);
  readonly #bucketSecond = new Float64Array(STATS_RING_SECONDS).fill(-1);
  total = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(amount = 1): void {
    const second = Math.floor(this.now() / 1000);
    const slot = second % STATS_RING_SECONDS;
    if (this.#bucketSecond[slot] !== second) {
      this.#bucketSecond[slot] = second;
      this.#buckets[slot] = 0;
    }
    this.#buckets[slot] += amount;
    this.total += amount;
  }

  /** Average per second over the last `seconds` complete seconds. */
  tps(seconds: number): number {
    const current = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let s = current - seconds; s < current; s++) {
      const slot = ((s % STATS_RING_SECONDS) + STATS_RING_SECONDS) % STATS_RING_SECONDS;
      if (this.#bucketSecond[slot] === s) sum += this.#buckets[slot];
    }
    return sum / seconds;
  }

  tpsTriple(): string {
    return [10, 60, 600].map((w) => this.tps(Math.min(w, STATS_RING_SECONDS - 1)).toFixed(2)).join(' ');
  }
}

export class BrokerStats {
  readonly putTimes: PerSecondCounter;
  readonly getFound: PerSecondCounter;
  readonly getMiss: PerSecondCounter;
  readonly getTransfered: PerSecondCounter;
  readonly topicPut = new Map<string, PerSecondCounter>();
  readonly groupGet = new Map<string, PerSecondCounter>();
  msgPutTotalTodayMorning = 0;
  msgGetTotalTodayMorning = 0;
  msgPutTotalYesterdayMorning = 0;
  msgGetTotalYesterdayMorning = 0;
  #day: number;

  constructor(private readonly now: () => number = Date.now) {
    this.putTimes = new PerSecondCounter(now);
    this.getFound = new PerSecondCounter(now);
    this.getMiss = new PerSecondCounter(now);
    this.getTransfered = new PerSecondCounter(now);
    this.#day = new Date(now()).getDate();
  }

  #rollDay(): void {
    const day = new Date(this.now()).getDate();
    if (day === this.#day) return;
    this.#day = day;
    this.msgPutTotalYesterdayMorning = this.msgPutTotalTodayMorning;
    this.msgGetTotalYesterdayMorning = this.msgGetTotalTodayMorning;
    this.msgPutTotalTodayMorning = this.putTimes.total;
    this.msgGetTotalTodayMorning = this.getTransfered.total;
  }

  #counter(map: Map<string, PerSecondCounter>, key: string): PerSecondCounter {
    let counter = map.get(key);
    if (!counter) {
      if (map.size >= STATS_KEYS_MAX) return new PerSecondCounter(this.now);
      counter = new PerSecondCounter(this.now);
      map.set(key, counter);
    }
    return counter;
  }

  recordPut(topic: string, count: number): void {
    this.#rollDay();
    this.putTimes.add(count);
    this.#counter(this.topicPut, topic).add(count);
  }

  recordGet(group: string, topic: string, found: number): void {
    this.#rollDay();
    if (found > 0) {
      this.getFound.add(1);
      this.getTransfered.add(found);
      this.#counter(this.groupGet, `${topic}@${group}`).add(found);
    } else {
      this.getMiss.add(1);
    }
  }

  topicPutTps(topic: string): number {
    return this.topicPut.get(topic)?.tps(10) ?? 0;
  }

  groupGetTps(group: string, topic: string): number {
    return this.groupGet.get(`${topic}@${group}`)?.tps(10) ?? 0;
  }

  todayPutTotal(): number {
    this.#rollDay();
    return this.putTimes.total;
  }

  todayGetTotal(): number {
    this.#rollDay();
    return this.getTransfered.total;
  }
}


