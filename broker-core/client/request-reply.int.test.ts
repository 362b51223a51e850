/**
 * Request-reply (RocketMQ 4.6+) with the project's clients: Producer.request() / requestAsync() send a request, a
 * consumer answers with sendReply() (SEND_REPLY_MESSAGE_V2 to <cluster>_REPLY_TOPIC), and the broker pushes the
 * answer to the requester (PUSH_REPLY_MESSAGE_TO_CLIENT). Also the broker's answers when the requester is gone.
 */
import { expect, it } from 'vitest';
import { createRequest } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import type { MessageExt } from './message';
import { Producer } from './producer';
import { PushConsumer } from './push-consumer';

const fx = useTestCluster();

async function startedProducer(group: string): Promise<Producer> {
  const producer = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: group });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  return producer;
}

it('request() gets the answer a consumer sends with sendReply(), through <cluster>_REPLY_TOPIC', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'RequestTopic', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const route = await fx.admin.getTopicRoute('DefaultCluster_REPLY_TOPIC');
  expect(route?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a']);

  const responder = await startedProducer('PG_responder');
  const requests: MessageExt[] = [];
  const consumer = new PushConsumer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: 'CG_responder', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.subscribe('RequestTopic', '*').registerMessageListener(async ([request]) => {
    requests.push(request!);
    await responder.sendReply(request!, { body: `reply to ${request!.body.toString()}` });
  });
  fx.closeLater(() => consumer.shutdown());
  await consumer.start();

  const requester = await startedProducer('PG_requester');
  const reply = await requester.request({ topic: 'RequestTopic', body: 'ping', tags: 'q' }, 15_000);
  expect(reply.body.toString()).toBe('reply to ping');
  expect(reply.topic).toBe('DefaultCluster_REPLY_TOPIC');
  expect(reply.properties.MSG_TYPE).toBe('reply');
  expect(reply.properties.CORRELATION_ID).toBe(requests[0]!.properties.CORRELATION_ID);
  expect(reply.properties.REPLY_TO_CLIENT).toBe(requester.clientId);
  expect(reply.properties.TTL).toBe('15000');
  expect(Number(reply.properties.PUSH_REPLY_TIME)).toBeGreaterThan(0);
  expect(Number(reply.properties.ARRIVE_TIME)).toBeGreaterThanOrEqual(Number(reply.properties.PUSH_REPLY_TIME));
  // The request as the responder saw it: CLUSTER (added by the broker) names the reply topic.
  expect(requests[0]!.properties.CLUSTER).toBe('DefaultCluster');

  const viaCallback = await new Promise<MessageExt>((resolve, reject) => requester.requestAsync({ topic: 'RequestTopic', body: 'async' }, { onSuccess: resolve, onException: reject }, 15_000));
  expect(viaCallback.body.toString()).toBe('reply to async');

  // Stored as well (storeReplyMessageEnable, after the push), with the properties as the responder sent them.
  let stored: Awaited<ReturnType<typeof fx.admin.pullOnce>> | undefined;
  await waitFor(async () => {
    stored = await fx.admin.pullOnce(fx.cluster.brokerAddr, { consumerGroup: 'TOOLS_CONSUMER', topic: 'DefaultCluster_REPLY_TOPIC', queueId: 0, offset: 0, maxNums: 8 });
    return stored.messages.length === 2;
  });
  expect(stored!.messages.map((m) => m.body.toString())).toEqual(['reply to ping', 'reply to async']);
  expect(stored!.messages[0]!.properties.PUSH_REPLY_TIME).toBeUndefined();
}, 40_000);

it('request() times out with RocketMQ\'s message when nobody answers', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'NobodyAnswers', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const requester = await startedProducer('PG_lonely');
  await expect(requester.request({ topic: 'NobodyAnswers', body: 'hello?' }, 800)).rejects.toThrow('send request message to <NobodyAnswers> OK, but wait reply message timeout, 800 ms.');
});

it('the broker says why it could not push a reply', async () => {
  const remoting = new RemotingClient();
  fx.closeLater(() => remoting.close());
  const reply = (properties: string) => remoting.invoke(fx.cluster.brokerAddr, createRequest(RequestCode.SEND_REPLY_MESSAGE_V2, {
    a: 'PG_x', b: 'DefaultCluster_REPLY_TOPIC', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, i: properties, j: 0, k: false,
  }, Buffer.from('late')), 5_000);
  const gone = await reply('CORRELATION_ID\u0001c1\u0002REPLY_TO_CLIENT\u0001127.0.0.1@gone\u0002MSG_TYPE\u0001reply');
  expect([gone.code, gone.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'push reply message fail, channel of <127.0.0.1@gone> not found.']);
  expect(gone.extFields?.msgId).toMatch(/^[0-9A-F]{32}$/); // stored all the same
  const anonymous = await reply('CORRELATION_ID\u0001c2\u0002MSG_TYPE\u0001reply');
  expect([anonymous.code, anonymous.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'reply message properties[REPLY_TO_CLIENT] is null']);
});
