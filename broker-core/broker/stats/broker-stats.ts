/**
 * Counters in fixed-size ring buffers: per second (TPS over 10 s / 60 s / 600 s), per minute and per hour (the
 * minute / hour / day windows RocketMQ's VIEW_BROKER_STATS_DATA answers), and the total since start. Each slot
 * keeps the amount and the number of add() calls, so an average per call (RocketMQ's avgpt) is known too.
 */
import { STATS_KEYS_MAX, STATS_RING_SECONDS } from '../../config/limits';

/** 16 bytes a slot: the amount, the calls and which slot index it holds (seconds since 1970 fit 32 bits until 2106). */
class Ring {
  readonly #amount: Float64Array;
  readonly #times: Uint32Array;
  readonly #slotOf: Uint32Array;

  constructor(private readonly slots: number, private readonly slotMs: number) {
    this.#amount = new Float64Array(slots);
    this.#times = new Uint32Array(slots);
    // Index 0 is 1970's first slot, never current: an empty slot reads as holding nothing.
    this.#slotOf = new Uint32Array(slots);
  }

  add(nowMs: number, amount: number): void {
    const index = Math.floor(nowMs / this.slotMs);
    const slot = index % this.slots;
    if (this.#slotOf[slot] !== index) {
      this.#slotOf[slot] = index;
      this.#amount[slot] = 0;
      this.#times[slot] = 0;
    }
    this.#amount[slot] += amount;
    this.#times[slot] += 1;
  }

  /** Amount and calls in the `count` slots before the current one (and the current one when `withCurrent`). */
  sum(nowMs: number, count: number, withCurrent = false): { amount: number; times: number } {
    const last = Math.floor(nowMs / this.slotMs) - (withCurrent ? 0 : 1);
    let amount = 0;
    let times = 0;
    for (let index = last - count + 1; index <= last; index++) {
      const slot = ((index % this.slots) + this.slots) % this.slots;
      if (this.#slotOf[slot] === index) {
        amount += this.#amount[slot]!;
        times += this.#times[slot]!;
      }
    }
    return { amount, times };
  }
}

/** One window of VIEW_BROKER_STATS_DATA: how much, per second, and per call. */
export interface StatsWindow {
  sum: number;
  tps: number;
  avgpt: number;
}

const window = (amount: number, times: number, seconds: number): StatsWindow => ({ sum: amount, tps: amount / seconds, avgpt: times > 0 ? amount / times : 0 });

export class PerSecondCounter {
  readonly #seconds = new Ring(STATS_RING_SECONDS, 1000);
  readonly #minutes = new Ring(61, 60_000);
  readonly #hours = new Ring(25, 3_600_000);
  total = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(amount = 1): void {
    const now = this.now();
    this.#seconds.add(now, amount);
    this.#minutes.add(now, amount);
    this.#hours.add(now, amount);
    this.total += amount;
  }

  /** Average per second over the last `seconds` complete seconds. */
  tps(seconds: number): number {
    return this.#seconds.sum(this.now(), seconds).amount / seconds;
  }

  tpsTriple(): string {
    return [10, 60, 600].map((w) => this.tps(Math.min(w, STATS_RING_SECONDS - 1)).toFixed(2)).join(' ');
  }

  /** The last 60 s, 60 min and 24 h, the current second / minute / hour included (RocketMQ's BrokerStatsData). */
  windows(): { statsMinute: StatsWindow; statsHour: StatsWindow; statsDay: StatsWindow } {
    const now = this.now();
    const minute = this.#seconds.sum(now, 60, true);
    const hour = this.#minutes.sum(now, 60, true);
    const day = this.#hours.sum(now, 24, true);
    return { statsMinute: window(minute.amount, minute.times, 60), statsHour: window(hour.amount, hour.times, 3600), statsDay: window(day.amount, day.times, 86_400) };
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

  /**
   * VIEW_BROKER_STATS_DATA's counter for a stats name and key as RocketMQ names them: TOPIC_PUT_NUMS (key: topic),
   * GROUP_GET_NUMS (key: topic@group), BROKER_PUT_NUMS and BROKER_GET_NUMS (key: the cluster name); undefined
   * when there is none (nothing counted under that key yet, or a name Rocketdeck does not count).
   */
  counterFor(statsName: string, statsKey: string, clusterName: string): PerSecondCounter | undefined {
    switch (statsName) {
      case 'TOPIC_PUT_NUMS':
        return this.topicPut.get(statsKey);
      case 'GROUP_GET_NUMS':
        return this.groupGet.get(statsKey);
      case 'BROKER_PUT_NUMS':
        return statsKey === clusterName ? this.putTimes : undefined;
      case 'BROKER_GET_NUMS':
        return statsKey === clusterName ? this.getTransfered : undefined;
      default:
        return undefined;
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


