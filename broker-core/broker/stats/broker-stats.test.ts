import { describe, expect, it } from 'vitest';
import { BrokerStats, PerSecondCounter } from './broker-stats';

describe('PerSecondCounter windows (VIEW_BROKER_STATS_DATA)', () => {
  it('keeps the last minute, hour and day apart, and slots that wrapped around are not counted twice', () => {
    let now = Date.UTC(2026, 11, 2, 10, 0, 0);
    const counter = new PerSecondCounter(() => now);
    counter.add(10); // 10:00:00
    now += 3 * 3_600_000; // 13:00:00
    counter.add(5);
    now += 2 * 60_000; // 13:02:00
    counter.add(2);
    now += 30_000; // 13:02:30
    counter.add(1);
    const w = counter.windows();
    expect([w.statsMinute.sum, w.statsHour.sum, w.statsDay.sum]).toEqual([3, 8, 18]);
    expect(w.statsMinute.avgpt).toBe(1.5);
    expect(w.statsDay.tps).toBe(18 / 86_400);
    expect(counter.tps(60)).toBeCloseTo(2 / 60); // complete seconds only: the current one is not in it
    now += 25 * 3_600_000; // a day and an hour later: everything has left every window
    const later = counter.windows();
    expect([later.statsMinute.sum, later.statsHour.sum, later.statsDay.sum]).toEqual([0, 0, 0]);
    expect(later.statsDay.avgpt).toBe(0);
    expect(counter.total).toBe(18);
  });

  it('names counters as RocketMQ does, and none for what it does not count', () => {
    const stats = new BrokerStats();
    stats.recordPut('T', 3);
    stats.recordGet('G', 'T', 2);
    expect(stats.counterFor('TOPIC_PUT_NUMS', 'T', 'C')?.total).toBe(3);
    expect(stats.counterFor('GROUP_GET_NUMS', 'T@G', 'C')?.total).toBe(2);
    expect(stats.counterFor('BROKER_PUT_NUMS', 'C', 'C')?.total).toBe(3);
    expect(stats.counterFor('BROKER_GET_NUMS', 'C', 'C')?.total).toBe(2);
    expect(stats.counterFor('BROKER_PUT_NUMS', 'Other', 'C')).toBeUndefined();
    expect(stats.counterFor('TOPIC_PUT_NUMS', 'Unknown', 'C')).toBeUndefined();
    expect(stats.counterFor('TOPIC_PUT_SIZE', 'T', 'C')).toBeUndefined();
    expect(stats.counterFor('toString', 'T', 'C')).toBeUndefined();
  });
});
