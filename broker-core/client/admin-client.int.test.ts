import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { AdminClient } from './admin-client';
import { Producer } from './producer';
import { PullConsumer } from './pull-consumer';

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

  it('answers VIEW_BROKER_STATS_DATA (mqadmin statsAll) for a topic, a topic@group, and the broker', async () => {
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'StatsTopic', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await expect(admin.viewBrokerStatsData(cluster.brokerAddr, 'TOPIC_PUT_NUMS', 'StatsTopic')).rejects.toMatchObject({ responseCode: 1, remark: 'The stats <TOPIC_PUT_NUMS> <StatsTopic> not exist' });
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_stats' });
    await producer.start();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'StatsTopic', body: `m${i}` });
    await producer.sendBatch([{ topic: 'StatsTopic', body: 'b1' }, { topic: 'StatsTopic', body: 'b2' }, { topic: 'StatsTopic', body: 'b3' }]);
    await producer.shutdown();
    const put = await admin.viewBrokerStatsData(cluster.brokerAddr, 'TOPIC_PUT_NUMS', 'StatsTopic');
    // 8 messages in 6 puts, in every window; the rate is over the window's length.
    for (const w of [put.statsMinute, put.statsHour, put.statsDay]) expect([w.sum, w.avgpt]).toEqual([8, 8 / 6]);
    expect([put.statsMinute.tps, put.statsHour.tps, put.statsDay.tps]).toEqual([8 / 60, 8 / 3600, 8 / 86_400]);

    const consumer = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_stats' });
    await consumer.start();
    const [queue] = await consumer.fetchSubscribeMessageQueues('StatsTopic');
    expect((await consumer.pull(queue!, '*', 0, 32)).msgFoundList).toHaveLength(8);
    await consumer.shutdown();
    const got = await admin.viewBrokerStatsData(cluster.brokerAddr, 'GROUP_GET_NUMS', 'StatsTopic@CG_stats');
    expect(got.statsMinute.sum).toBe(8);
    const broker = await admin.viewBrokerStatsData(cluster.brokerAddr, 'BROKER_PUT_NUMS', 'DefaultCluster');
    expect(broker.statsDay.sum).toBeGreaterThanOrEqual(8);
    await expect(admin.viewBrokerStatsData(cluster.brokerAddr, 'TOPIC_PUT_SIZE', 'StatsTopic')).rejects.toMatchObject({ remark: 'The stats <TOPIC_PUT_SIZE> <StatsTopic> not exist' });
    await expect(admin.viewBrokerStatsData(cluster.brokerAddr, 'BROKER_PUT_NUMS', 'OtherCluster')).rejects.toMatchObject({ responseCode: 1 });
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
