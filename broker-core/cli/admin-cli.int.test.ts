/**
 * `rocketdeck admin` commands against a real NameServer + Broker: the output an operator reads, and the
 * messages a wrong flag gets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../client/producer';
import { PushConsumer } from '../client/push-consumer';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import { parseNamesrvList } from '../client/namesrv-list';
import { parseResetTime } from './admin-cli';
import { runAdminCliCaptured } from '../testing/run-admin-cli';

const fx = useTestCluster();
let clusterName: string;

function cli(args: string[], env: Record<string, string | undefined> = { NAMESRV_ADDR: fx.cluster.namesrvAddr }) {
  return runAdminCliCaptured(args, env);
}

beforeAll(async () => {
  clusterName = Object.keys((await fx.admin.getClusterInfo()).clusterAddrTable)[0]!;
});

describe('rocketdeck admin: topics', () => {
  it('lists clusters, creates a topic on a cluster and shows its status', async () => {
    const { cluster, admin } = fx;
    const list = await cli(['clusterList']);
    expect(list.code).toBe(0);
    expect(list.out).toContain(cluster.brokerAddr);
    expect(list.out.split('\n')[1]!.split(/\s+/)[0]).toBe(clusterName);
    const created = await cli(['updateTopic', '-t', 'CliTopic', '-c', clusterName, '-r', '2', '-w', '2']);
    expect(created.code).toBe(0);
    expect(created.out).toContain(`create topic to ${cluster.brokerAddr} success.`);
    const status = await cli(['topicStatus', '-t', 'CliTopic']);
    expect(status.out.trim().split('\n')).toHaveLength(3);
  });

  it('rejects bad input with a clear message and exit code 1', async () => {
    const { cluster, admin } = fx;
    expect(await cli(['updateTopic', '-t', 'X', '-c', 'c', '-r', 'lots'])).toMatchObject({ code: 1, err: expect.stringContaining('-r must be a whole number') });
    expect(await cli(['topicStatus'])).toMatchObject({ code: 1, err: expect.stringContaining('missing -t') });
    expect(await cli(['bogus'])).toMatchObject({ code: 1, err: expect.stringContaining('unknown admin subcommand') });
    expect(await cli(['topicRoute', '-t', 'NoSuchTopic'])).toMatchObject({ code: 1, err: expect.stringContaining('no route') });
  });
});

describe('rocketdeck admin: messages', () => {
  it('sendMessage, then queryMsgById by msgId and by offsetMsgId, and queryMsgByKey', async () => {
    const { cluster, admin } = fx;
    expect((await cli(['updateTopic', '-t', 'CliMsg', '-c', clusterName, '-r', '4', '-w', '4'])).code).toBe(0);
    const sent = await cli(['sendMessage', '-t', 'CliMsg', '-p', 'hello from the cli', '-c', 'TagCli', '-k', 'order-77 other', '-b', 'broker-a', '-i', '2']);
    expect(sent.err).toBe('');
    expect(sent.code).toBe(0);
    const [header, row] = sent.out.trim().split('\n');
    expect(header).toMatch(/^#Broker Name\s+#QID\s+#Send Result\s+#MsgId/);
    const [brokerName, qid, status, msgId, offsetMsgId, queueOffset] = row!.split(/\s+/);
    expect([brokerName, qid, status, queueOffset]).toEqual(['broker-a', '2', 'SEND_OK', '0']);

    const byId = await cli(['queryMsgById', '-i', msgId!, '-t', 'CliMsg']);
    expect(byId.code).toBe(0);
    expect(byId.out).toMatch(new RegExp(`MsgId:\\s+${msgId}`));
    expect(byId.out).toMatch(/Tags:\s+\[TagCli\]/);
    expect(byId.out).toMatch(/Keys:\s+\[order-77 other\]/);
    expect(byId.out).toMatch(/Queue ID:\s+2/);
    expect(byId.out).toContain('Message Body:\nhello from the cli');

    const byOffsetId = await cli(['queryMsgById', '-i', offsetMsgId!]);
    expect(byOffsetId.code).toBe(0);
    expect(byOffsetId.out).toMatch(new RegExp(`OffsetID:\\s+${offsetMsgId}`));

    const byKey = await cli(['queryMsgByKey', '-t', 'CliMsg', '-k', 'order-77']);
    expect(byKey.code).toBe(0);
    expect(byKey.out.trim().split('\n')[1]).toMatch(new RegExp(`^${msgId}\\s+${offsetMsgId}\\s+2\\s+0\\s`));

    expect(await cli(['queryMsgByKey', '-t', 'CliMsg', '-k', 'nope'])).toMatchObject({ code: 1, err: expect.stringContaining('no message with key "nope"') });
    expect(await cli(['queryMsgById', '-i', 'not-an-id'])).toMatchObject({ code: 1, err: expect.stringContaining('is not a message id') });
    expect(await cli(['sendMessage', '-t', 'CliMsg', '-p', 'x', '-b', 'broker-zz'])).toMatchObject({ code: 1, err: expect.stringContaining('no master broker named "broker-zz"') });
    expect(await cli(['sendMessage', '-t', 'CliMsg', '-p', 'x', '-b', 'broker-a', '-i', '9'])).toMatchObject({ code: 1, err: expect.stringContaining('queues 0–3, not 9') });
  }, 30_000);

  it('shows a binary body as hex', async () => {
    const { cluster, admin } = fx;
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_cli_bin' });
    await producer.start();
    fx.closeLater(() => producer.shutdown());
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'CliBin', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    const result = await producer.send({ topic: 'CliBin', body: Buffer.from([0, 1, 2, 0xff]) });
    const shown = await cli(['queryMsgById', '-i', result.msgId, '-t', 'CliBin']);
    expect(shown.out).toContain('(binary, hex) 000102ff');
  });
});

describe('rocketdeck admin: groups and connections', () => {
  it('consumerConnection, producerConnection, consumerProgress and resetOffsetByTime on a live group', async () => {
    const { cluster, admin } = fx;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'CliGroup', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1', groupName: 'PG_cli_live' });
    await producer.start();
    fx.closeLater(() => producer.shutdown());
    const before = Date.now() - 1;
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'CliGroup', body: `m${i}`, tags: 'T' });

    let consumed = 0;
    const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1', groupName: 'CG_cli_live', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe('CliGroup', 'T || U');
    consumer.registerMessageListener((messages) => {
      consumed += messages.length;
    });
    await consumer.start();
    fx.closeLater(() => consumer.shutdown());
    await waitFor(() => consumed >= 10, { timeoutMs: 15_000, message: () => `consumed ${consumed} of 10` });
    await consumer.persistOffsets();

    const conn = await cli(['consumerConnection', '-g', 'CG_cli_live']);
    expect(conn.code).toBe(0);
    expect(conn.out).toMatch(/#ClientId\s+#ClientAddr\s+#Language\s+#Version/);
    expect(conn.out).toMatch(/127\.0\.0\.1@\S+\s+127\.0\.0\.1:\d+\s+JAVA\s+V4_9_4/);
    expect(conn.out).toMatch(/CliGroup\s+T \|\| U/);
    expect(conn.out).toContain('ConsumeType: CONSUME_PASSIVELY');
    expect(conn.out).toContain('MessageModel: CLUSTERING');

    const prod = await cli(['producerConnection', '-g', 'PG_cli_live', '-t', 'CliGroup']);
    expect(prod.code).toBe(0);
    expect(prod.out.trim().split('\n')).toHaveLength(2);

    const progress = await cli(['consumerProgress', '-g', 'CG_cli_live']);
    expect(progress.out).toContain('Diff Total: 0');

    const reset = await cli(['resetOffsetByTime', '-g', 'CG_cli_live', '-t', 'CliGroup', '-s', String(before)]);
    expect(reset.code).toBe(0);
    expect(reset.out).toContain(`consumerGroup[CG_cli_live], topic[CliGroup], force[true]`);
    expect(reset.out).toMatch(/broker-a\s+0\s+0\n/);
    // The live consumer was told to restart from 0, consumes all 10 again and commits.
    await waitFor(() => consumed >= 20, { timeoutMs: 15_000, message: () => `consumed ${consumed} of 20 after the reset` });

    // statsAll, mqadmin's columns: 10 in, 20 out (the reset read them again), TPS over the last minute.
    const statsAll = await cli(['statsAll', '-t', 'CliGroup']);
    expect(statsAll.code).toBe(0);
    expect(statsAll.out).toMatch(/#Topic\s+#Consumer Group\s+#Accumulation\s+#InTPS\s+#OutTPS\s+#InMsg24Hour\s+#OutMsg24Hour/);
    expect(statsAll.out).toMatch(/CliGroup\s+CG_cli_live\s+\d+\s+0\.17\s+0\.33\s+10\s+20\n/);
    expect((await cli(['statsAll', '-a'])).out).not.toMatch(/^TBW102/m); // -a: only topics with traffic

    expect(await cli(['consumerConnection', '-g', 'CG_nobody'])).toMatchObject({ code: 1, err: expect.stringContaining('no online clients') });
    expect(await cli(['consumerProgress', '-g', 'CG_nobody'])).toMatchObject({ code: 1, err: expect.stringContaining('has no offsets') });
    expect(await cli(['resetOffsetByTime', '-g', 'CG_cli_live', '-t', 'CliGroup', '-s', 'yesterday'])).toMatchObject({ code: 1, err: expect.stringContaining('is not a time') });
  }, 45_000);

  it('updateSubGroup sets the flags it is given; deleteSubGroup removes the group', async () => {
    const { cluster, admin } = fx;
    const created = await cli(['updateSubGroup', '-g', 'CG_cli_cfg', '-c', clusterName, '-r', '3', '-d', 'false', '-o', 'true']);
    expect(created.code).toBe(0);
    expect(created.out).toContain(`create subscription group to ${cluster.brokerAddr} success.`);
    const saved = await admin.getSubscriptionGroupConfig(cluster.brokerAddr, 'CG_cli_cfg');
    expect(saved).toMatchObject({ retryMaxTimes: 3, consumeBroadcastEnable: false, consumeMessageOrderly: true, consumeEnable: true });

    expect(await cli(['updateSubGroup', '-g', 'CG_cli_cfg', '-b', cluster.brokerAddr, '-s', 'yes'])).toMatchObject({ code: 1, err: expect.stringContaining('-s must be true or false') });
    expect(await cli(['updateSubGroup', '-g', 'CG_cli_cfg'])).toMatchObject({ code: 1, err: expect.stringContaining('missing -c cluster (or -b broker address)') });

    const deleted = await cli(['deleteSubGroup', '-g', 'CG_cli_cfg', '-b', cluster.brokerAddr]);
    expect(deleted.code).toBe(0);
    expect(await admin.getSubscriptionGroupConfig(cluster.brokerAddr, 'CG_cli_cfg')).toBeNull();
  });
});

describe('rocketdeck admin: NameServer address', () => {
  it('says where the list came from when no NameServer answers, instead of "connect to null"', async () => {
    const { cluster, admin } = fx;
    const none = await cli(['topicList'], { NAMESRV_ADDR: '127.0.0.1:1' });
    expect(none.code).toBe(1);
    expect(none.err).toContain('no NameServer answered (127.0.0.1:1)');
    expect(none.err).toContain('came from NAMESRV_ADDR');

    const bad = await cli(['topicList', '-n', 'localhost'], {});
    expect(bad).toMatchObject({ code: 1, err: expect.stringContaining('"localhost" is not a NameServer address; expected host:port') });
    expect(parseNamesrvList(' ; ')).toMatchObject({ ok: false, error: expect.stringContaining('NameServer list is empty') });
    expect(parseNamesrvList('a:1; b.example:9876;[::1]:9876')).toEqual({ ok: true, list: ['a:1', 'b.example:9876', '[::1]:9876'] });
    expect(parseNamesrvList('h:0')).toMatchObject({ ok: false });
    expect(parseNamesrvList('h:65536')).toMatchObject({ ok: false });
    expect(parseNamesrvList('http://h:9876')).toMatchObject({ ok: false });
  });

  it('reads mqadmin times', () => {
    expect(parseResetTime('now', 42)).toBe(42);
    expect(parseResetTime('1700000000000')).toBe(1_700_000_000_000);
    expect(parseResetTime('2026-11-25#10:20:30:400')).toBe(new Date(2026, 10, 25, 10, 20, 30, 400).getTime());
    expect(() => parseResetTime('2026-02-30#10:20:30:400')).toThrow('is not a time');
    expect(() => parseResetTime('-5')).toThrow('is not a time');
  });
});
