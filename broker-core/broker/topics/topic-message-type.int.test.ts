/**
 * Topic message types (RocketMQ 5.x `+message.type`): set by `rocketdeck admin updateTopic -a` as mqadmin 5.x does,
 * kept in topics.json across a restart, returned by GET_TOPIC_CONFIG / GET_ALL_TOPIC_CONFIG, and checked on send:
 * a typed topic refuses messages of another type (MIXED takes all), untyped topics take everything from remoting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runAdminCliCaptured } from '../../testing/run-admin-cli';
import { Producer, selectByHash } from '../../client/producer';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import { useTestCluster } from '../../testing/use-test-cluster';

const fx = useTestCluster({ broker: { mappedFileSizeCommitLog: 16 * 1024 * 1024 } });

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runAdminCliCaptured(args, { NAMESRV_ADDR: fx.cluster.namesrvAddr });
}

it('updateTopic -a +message.type=… sets the type; it survives a restart and GET_TOPIC_CONFIG returns it', async () => {
  for (const [topic, type] of [['TypedFifo', 'FIFO'], ['TypedDelay', 'DELAY'], ['TypedMixed', 'MIXED'], ['TypedNormal', 'NORMAL']] as const) {
    const created = await cli(['updateTopic', '-t', topic, '-b', fx.cluster.brokerAddr, '-r', '2', '-w', '2', '-a', `+message.type=${type}`]);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
  }
  expect((await cli(['updateTopic', '-t', 'TypedBad', '-b', fx.cluster.brokerAddr, '-a', '+message.type=SOMETIMES'])).code).not.toBe(0);
  // Updating without -a keeps the type (RocketMQ keeps current attributes); -o sets the order flag.
  expect((await cli(['updateTopic', '-t', 'TypedFifo', '-b', fx.cluster.brokerAddr, '-r', '4', '-w', '4', '-o', 'true'])).code).toBe(0);
  await fx.cluster.restartBroker();
  const stored = JSON.parse(fs.readFileSync(path.join(fx.cluster.storePathRootDir, 'config', 'topics.json'), 'utf8')) as { topicConfigTable: Record<string, { attributes: Record<string, string>; order: boolean; readQueueNums: number }> };
  expect(stored.topicConfigTable.TypedFifo).toMatchObject({ attributes: { 'message.type': 'FIFO' }, order: true, readQueueNums: 4 });
  const remoting = new RemotingClient();
  fx.closeLater(() => remoting.close());
  const one = await remoting.invoke(fx.cluster.brokerAddr, createRequest(RequestCode.GET_TOPIC_CONFIG, { topic: 'TypedDelay' }), 5_000);
  expect(one.code).toBe(ResponseCode.SUCCESS);
  expect(JSON.parse(one.body!.toString())).toMatchObject({ topicName: 'TypedDelay', attributes: { 'message.type': 'DELAY' } });
  const all = await fx.admin.getAllTopicConfig(fx.cluster.brokerAddr);
  expect(all.TypedMixed?.attributes).toEqual({ 'message.type': 'MIXED' });
}, 60_000);

it('a typed topic refuses messages of another type on send; MIXED and untyped topics take them all', async () => {
  for (const topic of ['SendFifo', 'SendDelay', 'SendMixed', 'SendUntyped']) {
    const type = { SendFifo: 'FIFO', SendDelay: 'DELAY', SendMixed: 'MIXED', SendUntyped: undefined }[topic];
    await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6, ...(type ? { attributes: { '+message.type': type } } : {}) });
  }
  const producer = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: 'PG_types', retryTimesWhenSendFailed: 0 });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  const fifo = { properties: { __SHARDINGKEY: 'g1' } };
  const delayed = { properties: { TIMER_DELAY_SEC: '60' } };
  await expect(producer.send({ topic: 'SendFifo', body: 'normal' })).rejects.toThrow(/expected type is FIFO, but actual type is NORMAL/);
  await expect(producer.send({ topic: 'SendFifo', body: 'delayed', ...delayed })).rejects.toThrow(/actual type is DELAY/);
  expect((await producer.send({ topic: 'SendFifo', body: 'grouped', ...fifo }, { selector: selectByHash, arg: 'g1' })).sendStatus).toBe('SEND_OK');
  await expect(producer.send({ topic: 'SendDelay', body: 'normal' })).rejects.toThrow(/expected type is DELAY/);
  expect((await producer.send({ topic: 'SendDelay', body: 'timer', ...delayed })).sendStatus).toBe('SEND_OK');
  expect((await producer.send({ topic: 'SendDelay', body: 'level', delayLevel: 2 })).sendStatus).toBe('SEND_OK');
  for (const topic of ['SendMixed', 'SendUntyped']) {
    for (const message of [{}, fifo, delayed]) expect((await producer.send({ topic, body: 'any', ...message })).sendStatus).toBe('SEND_OK');
  }
  // A batch is checked message by message.
  await expect(producer.sendBatch([{ topic: 'SendFifo', body: 'a', ...fifo }, { topic: 'SendFifo', body: 'b' }])).rejects.toThrow(/expected type is FIFO/);
  // Off (enableTopicMessageTypeCheck=false) nothing is checked.
  fx.cluster.broker.config.enableTopicMessageTypeCheck = false;
  try {
    expect((await producer.send({ topic: 'SendFifo', body: 'unchecked' })).sendStatus).toBe('SEND_OK');
  } finally {
    fx.cluster.broker.config.enableTopicMessageTypeCheck = true;
  }
}, 60_000);
