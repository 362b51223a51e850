/**
 * The Dispatcher feeds consume queues and the index for live writes and for recovery alike: replaying records
 * that are already dispatched (before or after a reopen) must change nothing.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { ConsumeQueueTable } from './consume-queue-table';
import { BuildConsumeQueue, BuildIndex, Dispatcher, SCHEDULE_TOPIC, storeProperties, type DispatchRequest } from './dispatcher';
import { IndexService } from './index-service';
import { tempDirs } from './testing/temp-dirs';
import { SYSFLAG_TRANSACTION_PREPARED, SYSFLAG_TRANSACTION_ROLLBACK, javaStringHashCode } from './record';

const tempDir = tempDirs('rocketdeck-dispatch-');
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function openParts(root: string) {
  const queues = new ConsumeQueueTable(path.join(root, 'consumequeue'), 8, silentLogger);
  const index = new IndexService(path.join(root, 'index'), { hashSlotNum: 16, indexNum: 10 }, silentLogger);
  queues.load();
  index.load(false);
  const buildConsumeQueue = new BuildConsumeQueue(queues, [1000, 5000]);
  const dispatcher = new Dispatcher();
  dispatcher.add(buildConsumeQueue);
  dispatcher.add(new BuildIndex(index));
  const close = () => {
    queues.close();
    index.close();
  };
  closers.push(close);
  return { queues, index, dispatcher, buildConsumeQueue, close };
}

function request(i: number, extra: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    topic: 'T', queueId: i % 2, commitLogOffset: i * 200, msgSize: 200, queueOffset: Math.floor(i / 2), sysFlag: 0, storeTimestamp: 1_700_000_000_000 + i,
    properties: storeProperties(`TAGS\u0001tag${i % 3}\u0002KEYS\u0001key-${i} all\u0002UNIQ_KEY\u0001U${i}\u0002`), ...extra,
  };
}

describe('Dispatcher', () => {
  it('replaying dispatched records, in the same run or after a reopen, adds nothing', () => {
    const root = tempDir();
    let parts = openParts(root);
    for (let i = 0; i < 30; i++) parts.dispatcher.dispatch(request(i));
    parts.dispatcher.writeOut();
    expect(parts.buildConsumeQueue.entriesAdded).toBe(30);
    expect(parts.buildConsumeQueue.takeTouched().map((t) => t.queue.queueId).sort()).toEqual([0, 1]);
    for (let i = 0; i < 30; i++) parts.dispatcher.dispatch(request(i));
    parts.dispatcher.writeOut();
    expect(parts.buildConsumeQueue.entriesAdded).toBe(30);
    expect(parts.buildConsumeQueue.takeTouched()).toEqual([]);
    parts.close();
    closers.splice(0);

    parts = openParts(root);
    for (let i = 20; i < 34; i++) parts.dispatcher.dispatch(request(i)); // replay from before the end, then new ones
    parts.dispatcher.writeOut();
    expect(parts.buildConsumeQueue.entriesAdded).toBe(4);
    expect(parts.queues.get('T', 0)!.maxOffset).toBe(17);
    expect(parts.queues.get('T', 1)!.maxOffset).toBe(17);
    expect(parts.queues.get('T', 1)!.readEntry(16)).toEqual({ commitLogOffset: 33 * 200, size: 200, tagsCode: javaStringHashCode('tag0') });
    expect(parts.index.query('T#U25', 10, 0, Number.MAX_SAFE_INTEGER)).toEqual([25 * 200]);
    expect(parts.index.query('T#all', 100, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(34);
  });

  it('skips prepared and rolled-back transaction halves in the consume queue; the index skips only rollbacks', () => {
    const root = tempDir();
    const parts = openParts(root);
    parts.dispatcher.dispatch(request(0, { sysFlag: SYSFLAG_TRANSACTION_PREPARED }));
    parts.dispatcher.dispatch(request(2, { sysFlag: SYSFLAG_TRANSACTION_ROLLBACK }));
    parts.dispatcher.writeOut();
    expect(parts.queues.get('T', 0)).toBeUndefined();
    expect(parts.index.query('T#U0', 10, 0, Number.MAX_SAFE_INTEGER)).toEqual([0]);
    expect(parts.index.query('T#U2', 10, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('gives a delayed message its delivery time as tags code', () => {
    const root = tempDir();
    const parts = openParts(root);
    parts.dispatcher.dispatch({ ...request(0), topic: SCHEDULE_TOPIC, properties: storeProperties('DELAY\u00012\u0002') });
    parts.dispatcher.writeOut();
    expect(parts.queues.get(SCHEDULE_TOPIC, 0)!.readEntry(0)?.tagsCode).toBe(1_700_000_000_000 + 5000);
  });
});
