import { describe, expect, it } from 'vitest';
import type { RemotingConnection } from '../../remoting/remoting-server';
import { ConsumerManager, RebalanceLockManager } from './consumer-manager';
import { PerSecondCounter } from '../stats/broker-stats';

const fakeConnection = (id: string) => ({ id, remoteAddress: `127.0.0.1:${id}`, localAddress: '', attributes: new Map(), closed: false, invoke: async () => { throw new Error('no'); }, invokeOneway() {}, close() {} }) as unknown as RemotingConnection;

describe('ConsumerManager', () => {
  it('notifies on membership change and expires silent channels', () => {
    let now = 1_000;
    const notices: string[][] = [];
    const manager = new ConsumerManager((_group, channels) => notices.push(channels.map((c) => c.clientId)), () => now);
    const sub = [{ topic: 'T', subString: '*', tagsSet: [], codeSet: [], subVersion: 1, expressionType: 'TAG' }];
    manager.register('G', { connection: fakeConnection('1'), clientId: 'c1', language: 'JAVA', version: 401 }, 'CONSUME_PASSIVELY', 'CLUSTERING', 'CONSUME_FROM_FIRST_OFFSET', sub, true);
    manager.register('G', { connection: fakeConnection('2'), clientId: 'c2', language: 'JAVA', version: 401 }, 'CONSUME_PASSIVELY', 'CLUSTERING', 'CONSUME_FROM_FIRST_OFFSET', sub, true);
    manager.register('G', { connection: fakeConnection('2'), clientId: 'c2', language: 'JAVA', version: 401 }, 'CONSUME_PASSIVELY', 'CLUSTERING', 'CONSUME_FROM_FIRST_OFFSET', sub, true);
    expect(notices).toEqual([['c1'], ['c1', 'c2']]);
    expect(manager.clientIds('G').sort()).toEqual(['c1', 'c2']);
    now += 130_000;
    manager.register('G', { connection: fakeConnection('2'), clientId: 'c2', language: 'JAVA', version: 401 }, 'CONSUME_PASSIVELY', 'CLUSTERING', 'CONSUME_FROM_FIRST_OFFSET', sub, true);
    expect(manager.scanExpired(120_000)).toEqual(['1']);
    manager.connectionGone('1', true);
    expect(manager.clientIds('G')).toEqual(['c2']);
    expect(notices.at(-1)).toEqual(['c2']);
  });

  it('locks queues per group with expiry', () => {
    let now = 0;
    const locks = new RebalanceLockManager(60_000, () => now);
    expect(locks.tryLockBatch('G', ['q0', 'q1'], 'a')).toEqual(['q0', 'q1']);
    expect(locks.tryLockBatch('G', ['q0'], 'b')).toEqual([]);
    locks.unlockBatch('G', ['q1'], 'b'); // not the owner: no effect
    expect(locks.tryLockBatch('G', ['q1'], 'b')).toEqual([]);
    locks.unlockBatch('G', ['q1'], 'a');
    expect(locks.tryLockBatch('G', ['q1'], 'b')).toEqual(['q1']);
    now = 61_000;
    expect(locks.tryLockBatch('G', ['q0'], 'b')).toEqual(['q0']);
  });

  it('counts per second in a ring buffer', () => {
    let now = 10_000;
    const counter = new PerSecondCounter(() => now);
    counter.add(10);
    now += 1_000;
    counter.add(20);
    now += 1_000;
    expect(counter.tps(10)).toBe(3);
    now += 700_000;
    expect(counter.tps(10)).toBe(0);
    expect(counter.total).toBe(30);
  });
});
