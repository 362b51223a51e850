import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { AdminClient } from './admin-client';

let cluster: TestCluster;
let admin: AdminClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
});
afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
});

describe('AdminClient over the protocol', () => {
  it('reads cluster info, runtime info and broker config', async () => {
    const info = await admin.getClusterInfo();
    const [clusterName, names] = Object.entries(info.clusterAddrTable)[0]!;
    expect(clusterName).toBeTruthy();
    expect(info.brokerAddrTable[names[0]!]?.brokerAddrs['0']).toBe(cluster.brokerAddr);
    const runtime = await admin.getBrokerRuntimeInfo(cluster.brokerAddr);
    expect(runtime.brokerVersionDesc).toMatch(/V4_9/);
    expect(Number(runtime.commitLogMaxOffset)).toBeGreaterThanOrEqual(0);
    const config = await admin.getBrokerConfig(cluster.brokerAddr);
    expect(config.brokerName).toBe(names[0]);
    expect(config.flushDiskType).toBe("ASYNC_FLUSH");
  });

  it('creates a topic, sees its route and per-queue stats, deletes it', async () => {
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'AdminTopic', readQueueNums: 3, writeQueueNums: 3, perm: 6 });
    const route = await admin.getTopicRoute('AdminTopic');
    expect(route?.queueDatas[0]).toMatchObject({ readQueueNums: 3, writeQueueNums: 3, perm: 6 });
    expect(await admin.getTopicList()).toContain('AdminTopic');
    const stats = await admin.getTopicStats(cluster.brokerAddr, 'AdminTopic');
    expect(stats.offsetTable.map((o) => o.queue.queueId)).toEqual([0, 1, 2]);
    await admin.deleteTopicInBroker(cluster.brokerAddr, 'AdminTopic');
    await admin.deleteTopicInNamesrv('AdminTopic');
    expect(await admin.getTopicRoute('AdminTopic')).toBeNull();
  });

  it('fails over to the next NameServer and names every address when none answers', async () => {
    const failover = new AdminClient({ namesrvAddr: `127.0.0.1:1;${cluster.namesrvAddr}`, timeoutMs: 2000 });
    expect(Object.keys((await failover.getClusterInfo()).brokerAddrTable)).toHaveLength(1);
    await failover.close();
    const dead = new AdminClient({ namesrvAddr: '127.0.0.1:1;127.0.0.1:2', timeoutMs: 1000 });
    await expect(dead.getTopicList()).rejects.toMatchObject({ code: 'BROKER_ERR_NO_NAMESRV', message: expect.stringContaining('127.0.0.1:1;127.0.0.1:2') });
    await dead.close();
  });

  it('keeps RocketMQ 5.x topic attributes (+message.type) and refuses unknown ones', async () => {
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'TypedDelay', readQueueNums: 1, writeQueueNums: 1, perm: 6, attributes: { '+message.type': 'DELAY' } });
    expect((await admin.getTopicConfig(cluster.brokerAddr, 'TypedDelay'))?.attributes).toEqual({ 'message.type': 'DELAY' });
    // An update without attributes keeps them; "-key" removes.
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'TypedDelay', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    expect((await admin.getTopicConfig(cluster.brokerAddr, 'TypedDelay'))?.attributes).toEqual({ 'message.type': 'DELAY' });
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'TypedDelay', readQueueNums: 2, writeQueueNums: 2, perm: 6, attributes: { '-message.type': '' } });
    expect((await admin.getTopicConfig(cluster.brokerAddr, 'TypedDelay'))?.attributes).toEqual({});
    await expect(admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'TypedBad', readQueueNums: 1, writeQueueNums: 1, perm: 6, attributes: { '+message.type': 'WEIRD' } }))
      .rejects.toMatchObject({ responseCode: 29, remark: expect.stringContaining('must be one of NORMAL, FIFO, DELAY, TRANSACTION') });
  });
});
