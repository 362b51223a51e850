import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJavaJson } from '../protocol/fastjson';
import { FrameDecoder } from '../protocol/frame-decoder';
import { createRequest, decodeFrame, encodeFrame, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { loadFixture } from '../testing/fixtures';
import { waitFor } from '../testing/wait-for';
import { NamesrvController } from './namesrv-controller';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startNamesrv(options: Partial<ConstructorParameters<typeof NamesrvController>[0]> = {}) {
  const namesrv = new NamesrvController({ port: 0, host: '127.0.0.1', scanIntervalMs: 0, ...options });
  await namesrv.start();
  cleanups.push(() => namesrv.shutdown());
  const client = new RemotingClient();
  cleanups.push(() => client.close());
  const addr = `127.0.0.1:${namesrv.port}`;
  return { namesrv, client, addr, invoke: (request: RemotingCommand) => client.invoke(addr, request, 3000) };
}

function topicConfig(topicName: string, queues: number, perm = 6) {
  return { order: false, perm, readQueueNums: queues, topicFilterType: 'SINGLE_TAG', topicName, topicSysFlag: 0, writeQueueNums: queues };
}

function registerRequest(broker: { cluster: string; name: string; id: number; addr: string }, topics: ReturnType<typeof topicConfig>[], counter = 1) {
  const topicConfigTable = Object.fromEntries(topics.map((t) => [t.topicName, t]));
  const body = Buffer.from(JSON.stringify({ filterServerList: [], topicConfigSerializeWrapper: { dataVersion: { counter, timestamp: 1700000000000 }, topicConfigTable } }));
  return createRequest(
    RequestCode.REGISTER_BROKER,
    {
      brokerAddr: broker.addr,
      brokerId: broker.id,
      brokerName: broker.name,
      clusterName: broker.cluster,
      haServerAddr: broker.addr.replace(/\d+$/, (p) => String(Number(p) + 1)),
      compressed: false,
      bodyCrc32: zlib.crc32(body) & 0x7fffffff,
    },
    body,
  );
}

/** Sends raw bytes on a fresh socket and collects decoded frames until `count` arrive. */
/** Writes raw bytes and collects answer frames until `count` arrive or the server closes. With `endAfter` the client
 * half-closes after writing (random bytes may announce a frame that never completes: the server rightly waits). */
function rawExchange(port: number, bytes: Buffer, count = 1, endAfter = false): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const decoder = new FrameDecoder();
    const frames: Buffer[] = [];
    socket.on('data', (chunk) => {
      frames.push(...decoder.push(chunk));
      if (frames.length >= count) {
        socket.destroy();
        resolve(frames);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(frames));
    if (endAfter) socket.end(bytes);
    else socket.write(bytes);
  });
}

const BROKER_A = { cluster: 'DefaultCluster', name: 'broker-a', id: 0, addr: '127.0.0.1:20911' };

describe('NameServer over TCP', () => {
  it('answers the captured ali-ons route request byte for byte (bare numeric keys for version 121)', async () => {
    const { namesrv, invoke } = await startNamesrv();
    expect((await invoke(registerRequest(BROKER_A, [topicConfig('AliOnsFixture', 4)]))).code).toBe(ResponseCode.SUCCESS);
    const [frame] = await rawExchange(namesrv.port, loadFixture('d-ali-ons.001.105-get-routeinfo-by-topic.request.hex'));
    expect(frame!.toString('hex')).toBe(loadFixture('d-ali-ons.001.105-get-routeinfo-by-topic.response.hex').toString('hex'));
  });

  it('answers the captured Java 4.9.4 route and cluster requests byte for byte', async () => {
    const { namesrv, invoke } = await startNamesrv();
    await invoke(registerRequest(BROKER_A, [topicConfig('%RETRY%please_rename_unique_group_name_4', 1)]));
    const [route] = await rawExchange(namesrv.port, loadFixture('c-mqadmin.001.105-get-routeinfo-by-topic.request.hex'));
    expect(route!.toString('hex')).toBe(loadFixture('c-mqadmin.001.105-get-routeinfo-by-topic.response.hex').toString('hex'));
    const [cluster] = await rawExchange(namesrv.port, loadFixture('c-mqadmin.017.106-get-broker-cluster-info.request.hex'));
    expect(cluster!.toString('hex')).toBe(loadFixture('c-mqadmin.017.106-get-broker-cluster-info.response.hex').toString('hex'));
  });

  it('accepts the REGISTER_BROKER frame a Java 4.9.4 broker sent and routes its topics', async () => {
    const { namesrv, invoke } = await startNamesrv();
    const [response] = await rawExchange(namesrv.port, loadFixture('c-mqadmin.022.103-register-broker.request.hex'));
    expect(response!.toString('hex')).toBe(loadFixture('c-mqadmin.022.103-register-broker.response.hex').toString('hex'));
    // The broker stays registered only while its connection is open; register over a kept connection instead.
    const frame = decodeFrame(loadFixture('c-mqadmin.022.103-register-broker.request.hex'));
    expect((await invoke({ ...frame, opaque: 0 })).code).toBe(ResponseCode.SUCCESS);
    const route = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }));
    expect(route.code).toBe(ResponseCode.SUCCESS);
    const data = JSON.parse(route.body!.toString()) as { queueDatas: { readQueueNums: number }[]; brokerDatas: { brokerAddrs: Record<string, string> }[] };
    expect(data.queueDatas[0]!.readQueueNums).toBe(4);
    expect(data.brokerDatas[0]!.brokerAddrs['0']).toBe('127.0.0.1:20911');
  });

  it('routes two brokers in two clusters, lists topics and clusters, and unregisters', async () => {
    const { invoke } = await startNamesrv();
    const brokerB = { cluster: 'ClusterB', name: 'broker-b', id: 0, addr: '127.0.0.1:21911' };
    await invoke(registerRequest(BROKER_A, [topicConfig('Shared', 4), topicConfig('OnlyA', 2)]));
    await invoke(registerRequest(brokerB, [topicConfig('Shared', 8)]));

    const shared = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Shared' }));
    const route = JSON.parse(shared.body!.toString()) as { queueDatas: { brokerName: string; writeQueueNums: number }[]; brokerDatas: { cluster: string }[] };
    expect(route.queueDatas.map((q) => [q.brokerName, q.writeQueueNums]).sort()).toEqual([['broker-a', 4], ['broker-b', 8]]);
    expect(route.brokerDatas.map((b) => b.cluster).sort()).toEqual(['ClusterB', 'DefaultCluster']);

    const cluster = await invoke(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
    expect(cluster.body!.toString()).toContain('"brokerAddrs":{0:"127.0.0.1:21911"}');
    const info = parseJavaJson(cluster.body!.toString()) as { clusterAddrTable: Record<string, string[]> };
    expect(info.clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'], ClusterB: ['broker-b'] });

    const all = JSON.parse((await invoke(createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER))).body!.toString()) as { topicList: string[] };
    expect(all.topicList.sort()).toEqual(['OnlyA', 'Shared']);
    const byCluster = JSON.parse((await invoke(createRequest(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'ClusterB' }))).body!.toString()) as { topicList: string[] };
    expect(byCluster.topicList).toEqual(['Shared']);

    const unregister = createRequest(RequestCode.UNREGISTER_BROKER, { brokerAddr: BROKER_A.addr, brokerId: 0, brokerName: 'broker-a', clusterName: 'DefaultCluster' });
    expect((await invoke(unregister)).code).toBe(ResponseCode.SUCCESS);
    const onlyA = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'OnlyA' }));
    expect(onlyA.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(onlyA.remark).toContain('OnlyA');
    const after = JSON.parse((await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Shared' }))).body!.toString()) as { queueDatas: unknown[] };
    expect(after.queueDatas).toHaveLength(1);
  });

  it('forgets a broker silent for 120 s (injected clock) and keeps one that re-registered', async () => {
    let now = 1_000_000;
    const { namesrv, client, addr } = await startNamesrv({ now: () => now });
    const brokerB = { cluster: 'DefaultCluster', name: 'broker-b', id: 0, addr: '127.0.0.1:21911' };
    // Each broker on its own connection, as real brokers are.
    const clientB = new RemotingClient();
    cleanups.push(() => clientB.close());
    await client.invoke(addr, registerRequest(BROKER_A, [topicConfig('T1', 4)]), 3000);
    await clientB.invoke(addr, registerRequest(brokerB, [topicConfig('T2', 4)]), 3000);
    now += 100_000;
    await clientB.invoke(addr, registerRequest(brokerB, [topicConfig('T2', 4)], 2), 3000);
    now += 20_001;
    expect(namesrv.scanNotActiveBrokers()).toEqual([BROKER_A.addr]);
    expect((await clientB.invoke(addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' }), 3000)).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect((await clientB.invoke(addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T2' }), 3000)).code).toBe(ResponseCode.SUCCESS);
    // QUERY_DATA_VERSION counts as a sign of life.
    now += 110_000;
    const query = createRequest(
      RequestCode.QUERY_DATA_VERSION,
      { brokerAddr: brokerB.addr, brokerId: 0, brokerName: 'broker-b', clusterName: 'DefaultCluster' },
      Buffer.from(JSON.stringify({ counter: 2, timestamp: 1700000000000 })),
    );
    const answer = await clientB.invoke(addr, query, 3000);
    expect(answer.extFields?.changed).toBe('false');
    now += 20_000;
    expect(namesrv.scanNotActiveBrokers()).toEqual([]);
  });

  it('drops a broker at once when its connection closes', async () => {
    const { namesrv, invoke } = await startNamesrv();
    const other = new RemotingClient();
    const addr = `127.0.0.1:${namesrv.port}`;
    await other.invoke(addr, registerRequest(BROKER_A, [topicConfig('Gone', 1)]), 3000);
    expect((await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Gone' }))).code).toBe(ResponseCode.SUCCESS);
    await other.close();
    await waitFor(async () => (await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Gone' }))).code === ResponseCode.TOPIC_NOT_EXIST);
  });

  it('keeps KV config (and orderTopicConf in routes) across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-namesrv-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const kvConfigPath = path.join(dir, 'kvConfig.json');
    const first = await startNamesrv({ kvConfigPath });
    const put = createRequest(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'Orders', value: 'broker-a:4' });
    expect((await first.invoke(put)).code).toBe(ResponseCode.SUCCESS);
    await first.namesrv.shutdown();

    const second = await startNamesrv({ kvConfigPath });
    const got = await second.invoke(createRequest(RequestCode.GET_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'Orders' }));
    expect(got.extFields?.value).toBe('broker-a:4');
    const missing = await second.invoke(createRequest(RequestCode.GET_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'Nope' }));
    expect(missing.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    await second.invoke(registerRequest(BROKER_A, [topicConfig('Orders', 4)]));
    const route = JSON.parse((await second.invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Orders' }))).body!.toString()) as { orderTopicConf?: string };
    expect(route.orderTopicConf).toBe('broker-a:4');
    const list = await second.invoke(createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ORDER_TOPIC_CONFIG' }));
    expect(JSON.parse(list.body!.toString())).toEqual({ table: { Orders: 'broker-a:4' } });
    await second.invoke(createRequest(RequestCode.DELETE_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'Orders' }));
    expect((await second.invoke(createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ORDER_TOPIC_CONFIG' }))).code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  it('answers bad requests with codes, never by dying: missing fields, wrong CRC, unknown codes', async () => {
    const { invoke } = await startNamesrv();
    const noTopic = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, {}));
    expect(noTopic.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noTopic.remark).toContain('topic');
    const bad = registerRequest(BROKER_A, [topicConfig('X', 1)]);
    bad.extFields!.bodyCrc32 = '12345';
    expect((await invoke(bad)).code).toBe(ResponseCode.SYSTEM_ERROR);
    const garbageBody = registerRequest(BROKER_A, []);
    garbageBody.body = Buffer.from('{not json');
    garbageBody.extFields!.bodyCrc32 = '0';
    expect((await invoke(garbageBody)).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await invoke(createRequest(9999))).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect((await invoke(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))).code).toBe(ResponseCode.SUCCESS);
  });

  it('survives garbage bytes and oversize lengths on other connections while a good client keeps working', async () => {
    const { namesrv, invoke } = await startNamesrv();
    await invoke(registerRequest(BROKER_A, [topicConfig('Steady', 2)]));
    const attacks = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]), // 2 GiB length
      Buffer.from([0, 0, 0, 8, 0, 0x7f, 0xff, 0xff, 1, 2, 3, 4]), // header length larger than the frame
      Buffer.from([0, 0, 0, 6, 0, 0, 0, 2, 0x7b, 0x7b]), // JSON header "{{"
      Buffer.from([0, 0, 0, 0]),
    ];
    for (let round = 0; round < 20; round++) {
      for (const attack of attacks) {
        const frames = await rawExchange(namesrv.port, attack);
        expect(frames).toEqual([]); // closed without an answer
      }
      const route = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Steady' }));
      expect(route.code).toBe(ResponseCode.SUCCESS);
    }
    // Random bytes too.
    for (let i = 0; i < 50; i++) await rawExchange(namesrv.port, Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))), 1, true);
    expect((await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Steady' }))).code).toBe(ResponseCode.SUCCESS);
  });

  it('re-encodes every route it serves so that both JSON styles parse to the same data', async () => {
    const { invoke } = await startNamesrv();
    await invoke(registerRequest(BROKER_A, [topicConfig('Styles', 3)]));
    const modern = await invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Styles' }));
    const legacyRequest = { ...createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Styles' }), version: 121 };
    const legacy = await invoke(legacyRequest);
    expect(modern.body!.toString()).toContain('{"0":"127.0.0.1:20911"}');
    expect(legacy.body!.toString()).toContain('{0:"127.0.0.1:20911"}');
    expect(parseJavaJson(legacy.body!.toString())).toEqual(JSON.parse(modern.body!.toString()));
    const standardOnly = await invoke({ ...createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Styles', acceptStandardJsonOnly: true }), version: 121 });
    expect(standardOnly.body!.toString()).toBe(modern.body!.toString());
    expect(encodeFrame(modern).length).toBeGreaterThan(0);
  });
});
