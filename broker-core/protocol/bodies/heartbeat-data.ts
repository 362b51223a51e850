/**
 * HEART_BEAT (34) request body, HeartbeatData (fastjson; sent by every client every 30 s):
 *
 *   {
 *     "clientID": "127.0.0.1@4242#...",
 *     "producerDataSet": [ { "groupName": "PG" } ],
 *     "consumerDataSet": [ {
 *       "groupName": "CG", "consumeType": "CONSUME_PASSIVELY", "messageModel": "CLUSTERING",
 *       "consumeFromWhere": "CONSUME_FROM_LAST_OFFSET", "unitMode": false,
 *       "subscriptionDataSet": [ { "topic": "T", "subString": "TagA || TagB", "subVersion": 1700000000000,
 *                                  "expressionType": "TAG", "tagsSet": [..], "codeSet": [..], "classFilterMode": false } ]
 *     } ]
 *   }
 *
 * Rocketdeck's gRPC endpoint registers its RocketMQ 5.x clients with three more fields (RocketMQ brokers ignore
 * fields they do not know): "protocol": "gRPC", "clientVersion": "1.0.8" (the client's own version) and
 * "clientAddr": "ip:port" (the client's address, which behind `rocketdeck proxy` is not the connection's).
 *
 * Decoded defensively (a body is whatever the peer sent): entries that are not objects, and groups or topics
 * that are not strings, are dropped; fields of the wrong type read as absent. The ACL and the heartbeat
 * processor read this one decoding.
 */
import { parseJavaJson } from '../fastjson';
import { objectOf, objectsOf, textOf } from '../json-shape';
import { BodyFormatError } from './body-format-error';

export interface SubscriptionDataJson {
  topic: string;
  subString: string | undefined;
  subVersion: number | undefined;
  expressionType: string | undefined;
}

export interface ConsumerDataJson {
  groupName: string;
  consumeType: string | undefined;
  messageModel: string | undefined;
  consumeFromWhere: string | undefined;
  subscriptionDataSet: SubscriptionDataJson[];
}

export interface HeartbeatData {
  clientID: string | undefined;
  producerDataSet: { groupName: string }[];
  consumerDataSet: ConsumerDataJson[];
  /** Present when a gRPC endpoint registers a 5.x client ("protocol": "gRPC"); each text at most 64 characters. */
  grpc?: { clientVersion: string | undefined; clientAddr: string | undefined };
}

export function decodeHeartbeatData(body: Buffer | undefined): HeartbeatData {
  if (!body || body.length === 0) throw new BodyFormatError('the heartbeat body is missing');
  let parsed: unknown;
  try {
    parsed = parseJavaJson(body.toString('utf8'));
  } catch (err) {
    throw new BodyFormatError(`the heartbeat body is not JSON: ${(err as Error).message}`);
  }
  const root = objectOf(parsed);
  if (!root) throw new BodyFormatError('the heartbeat body is not a JSON object');
  const consumerDataSet = objectsOf(root.consumerDataSet).flatMap((consumer): ConsumerDataJson[] => {
    const groupName = textOf(consumer.groupName);
    if (groupName === undefined) return [];
    const subscriptionDataSet = objectsOf(consumer.subscriptionDataSet).flatMap((sub): SubscriptionDataJson[] => {
      const topic = textOf(sub.topic);
      if (topic === undefined) return [];
      const subVersion = typeof sub.subVersion === 'number' && Number.isFinite(sub.subVersion) ? sub.subVersion : undefined;
      return [{ topic, subString: textOf(sub.subString), subVersion, expressionType: textOf(sub.expressionType) }];
    });
    return [{
      groupName,
      consumeType: textOf(consumer.consumeType),
      messageModel: textOf(consumer.messageModel),
      consumeFromWhere: textOf(consumer.consumeFromWhere),
      subscriptionDataSet,
    }];
  });
  const producerDataSet = objectsOf(root.producerDataSet).flatMap((producer) => {
    const groupName = textOf(producer.groupName);
    return groupName === undefined ? [] : [{ groupName }];
  });
  const data: HeartbeatData = { clientID: textOf(root.clientID), producerDataSet, consumerDataSet };
  if (textOf(root.protocol) === 'gRPC') data.grpc = { clientVersion: textOf(root.clientVersion)?.slice(0, 64), clientAddr: textOf(root.clientAddr)?.slice(0, 64) };
  return data;
}
