import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponse, createRequest } from '../protocol/remoting-command';
import { silentLogger } from '../util/logger';
import { ConsumerOffsetManager } from './offsets/consumer-offset-manager';
import { TopicConfigManager } from './topics/topic-config-manager';
import { SubscriptionGroupManager } from './groups/subscription-group-manager';
import { PullRequestHoldService } from './long-polling/pull-request-hold-service';
import { GroupCommitFile } from './config/json-file';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-mgr-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('config persistence', () => {
  it('writes consumerOffset.json in fastjson form, keeps a .bak, and recovers from a torn main file', () => {
    const dir = tempDir();
    const offsets = new ConsumerOffsetManager(dir);
    offsets.commitOffset('c', 'G1', 'T', 0, 12);
    offsets.commitOffset('c', 'G1', 'T', 1, 7);
    offsets.persist();
    const file = path.join(dir, 'config', 'consumerOffset.json');
    expect(fs.readFileSync(file, 'utf8')).toContain('"offsetTable":{"T@G1":{0:12,1:7}}');
    offsets.commitOffset('c', 'G2', 'T', 0, 3);
    offsets.persist();
    expect(fs.existsSync(`${file}.bak`)).toBe(true);
    fs.writeFileSync(file, '{"offsetTable":{"T@G1":{0:'); // torn write
    const reloaded = new ConsumerOffsetManager(dir);
    reloaded.load();
    expect(reloaded.queryOffset('G1', 'T', 0)).toBe(12);
    expect(reloaded.queryOffset('G2', 'T', 0)).toBe(-1);
    expect(reloaded.whichTopicByConsumer('G1')).toEqual(new Set(['T']));
  });

  it('auto-creates topics from TBW102 only when enabled, and persists topics and groups', async () => {
    const dir = tempDir();
    let auto = true;
    const topics = new TopicConfigManager(dir, { clusterName: 'C', brokerName: 'b', defaultTopicQueueNums: 8, autoCreateTopicEnable: () => auto, clusterTopicEnable: true, brokerTopicEnable: true });
    expect(topics.get('TBW102')?.perm).toBe(7);
    expect(topics.createTopicInSendMessageMethod('New', 'TBW102', 4, 0)).toMatchObject({ readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    auto = false;
    expect(topics.createTopicInSendMessageMethod('Other', 'TBW102', 4, 0)).toBeNull();
    await topics.persisted();
    const again = new TopicConfigManager(dir, { clusterName: 'C', brokerName: 'b', defaultTopicQueueNums: 8, autoCreateTopicEnable: () => true, clusterTopicEnable: true, brokerTopicEnable: true });
    again.load();
    expect(again.get('New')?.writeQueueNums).toBe(4);
    const groups = new SubscriptionGroupManager(dir, () => false);
    expect(groups.findOrCreate('nope')).toBeUndefined();
    groups.update({ ...groups.findOrCreate('TOOLS_CONSUMER')!, groupName: 'G9', retryMaxTimes: 3 });
    await groups.persisted();
    const groups2 = new SubscriptionGroupManager(dir, () => false);
    groups2.load();
    expect(groups2.get('G9')?.retryMaxTimes).toBe(3);
  });
});

describe('GroupCommitFile', () => {
  it('writes the changes of one event-loop turn once, resolves waiters after the write, and rejects them when it fails', async () => {
    const dir = tempDir();
    let renders = 0;
    let value = 0;
    const file = new GroupCommitFile(path.join(dir, 'config', 'x.json'), () => {
      renders++;
      return JSON.stringify({ value });
    });
    await file.persisted(); // nothing changed: nothing written
    expect(renders).toBe(0);
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 32; i++) {
      value = i;
      file.markDirty();
      waits.push(file.persisted());
    }
    expect(fs.existsSync(path.join(dir, 'config', 'x.json'))).toBe(false); // not before the turn ends
    await Promise.all(waits);
    expect(renders).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config', 'x.json'), 'utf8'))).toEqual({ value: 32 });

    // The folder becomes a file: the write fails, its waiters hear why, and the change is written once it can be.
    fs.rmSync(path.join(dir, 'config'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config'), 'not a folder');
    value = 33;
    file.markDirty();
    await expect(file.persisted()).rejects.toMatchObject({ code: 'BROKER_ERR_STORE_IO' });
    fs.rmSync(path.join(dir, 'config'));
    await file.persisted();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config', 'x.json'), 'utf8'))).toEqual({ value: 33 });
  });
});

describe('PullRequestHoldService', () => {
  it('wakes a held pull on arrival, ignores non-matching tags, times out otherwise, and is bounded', async () => {
    let max = 0;
    const hold = new PullRequestHoldService(silentLogger, () => max);
    const request = createRequest(11);
    let reruns = 0;
    const rerun = async () => {
      reruns++;
      return createResponse(request, max > 0 ? 0 : 19);
    };
    const woken = hold.hold('T', 0, 0, 10_000, (code) => code === 1, rerun);
    expect(hold.heldCount).toBe(1);
    hold.notifyMessageArriving('T', 0, 1, 2); // tag does not match
    expect(hold.heldCount).toBe(1);
    max = 1;
    hold.notifyMessageArriving('T', 0, 1, 1);
    expect((await woken).code).toBe(0);
    max = 0;
    const started = Date.now();
    const timedOut = await hold.hold('T', 1, 0, 100, undefined, rerun);
    expect(timedOut.code).toBe(19);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(reruns).toBe(2);
    expect(hold.hasCapacity()).toBe(true);
    hold.shutdown();
  });

  it('lets go of the pulls of a connection that closed, and only those', async () => {
    const hold = new PullRequestHoldService(silentLogger, () => 0);
    const request = createRequest(11);
    const rerun = async () => createResponse(request, 19);
    const gone = [hold.hold('T', 0, 0, 60_000, undefined, rerun, 'c1'), hold.hold('T', 1, 0, 60_000, undefined, rerun, 'c1')];
    const stays = hold.hold('T', 0, 0, 60_000, undefined, rerun, 'c2');
    expect(hold.heldCount).toBe(3);
    hold.connectionGone('c1');
    expect(hold.heldCount).toBe(1);
    expect((await Promise.all(gone)).map((r) => r.code)).toEqual([19, 19]);
    hold.connectionGone('c1');
    hold.connectionGone('unknown');
    expect(hold.heldCount).toBe(1);
    hold.shutdown();
    expect((await stays).code).toBe(19);
    expect(hold.heldCount).toBe(0);
  });
});
