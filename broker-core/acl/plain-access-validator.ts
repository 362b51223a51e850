/**
 * What a request needs and whether it may have it (PlainAccessValidator.parse and PlainPermissionManager.validate
 * in apache/rocketmq 4.9).
 *
 * Needed permissions by request code (groups checked as `%RETRY%<group>`):
 *   SEND_MESSAGE 10, SEND_MESSAGE_V2 310, SEND_BATCH_MESSAGE 320   PUB on the topic; a retry topic needs SUB on its group
 *   CONSUMER_SEND_MSG_BACK 36                   SUB on the group
 *   PULL_MESSAGE 11                             SUB on the topic and on the group
 *   QUERY_MESSAGE 12                            SUB on the topic
 *   HEART_BEAT 34                               SUB on every consumer group and every topic it subscribes
 *   UNREGISTER_CLIENT 35, GET_CONSUMER_LIST_BY_GROUP 38   SUB on the group
 *   UPDATE_CONSUMER_OFFSET 15                   SUB on the group and on the topic
 *   POP_MESSAGE 200050, ACK_MESSAGE 200051, CHANGE_MESSAGE_INVISIBLETIME 200053   SUB on the topic and on the group
 *   BATCH_ACK_MESSAGE 200151                    SUB on every entry's topic and group
 *   ADMIN_REQUEST_CODES (permission.ts)         an admin account
 *   anything else                               a known account and a good signature
 *
 * The checks, in order: a globalWhiteRemoteAddresses match lets the request through; else it needs an
 * AccessKey naming an account; that account's whiteRemoteAddress match lets it through; else the signature
 * must match; a send to RMQ_SYS_TRACE_TOPIC (message trace) then passes; else admin codes need an admin
 * account, and every needed permission must be granted by the account's topicPerms/groupPerms or, for
 * resources not listed, its defaultTopicPerm/defaultGroupPerm (an admin with no perms listed has them all).
 *
 * Resources are read from the request's one decoding (protocol/requests.ts), the values the processor executes
 * with; a request whose header or body does not decode (a field sent as both `b` and `topic`, say) is refused.
 *
 * Two differences from 4.9, both closing gaps: SEND_BATCH_MESSAGE is checked like SEND_MESSAGE_V2 (4.9
 * checks no topic for it), and a send to a retry topic is checked against the group the topic names (4.9
 * reads a `group` field SEND_MESSAGE does not have).
 */
import { RequestCode } from '../protocol/request-code';
import type { RemotingCommand } from '../protocol/remoting-command';
import type { DecodedCode, DecodedRequest } from '../protocol/requests';
import { TopicValidator } from '../broker/topics/topic-config-manager';
import { AclField, calSignature, signaturesEqual, signedContent, UNIQUE_MSG_QUERY_FLAG } from './acl-signer';
import { ADMIN_REQUEST_CODES, checkPermission, isRetryTopic, Permission, resourceName, retryTopic } from './permission';
import type { PlainAcl } from './plain-acl-file';
import { remoteIp } from './remote-address';

export interface AccessResource {
  remoteIp: string;
  requestCode: number;
  accessKey: string | undefined;
  signature: string | undefined;
  /** resource (topic or %RETRY%group) → needed permission. */
  needed: Map<string, number>;
  /** What the 4.9 broker signs: extFields minus Signature and _UNIQUE_KEY_QUERY, then the body. */
  content: Buffer[];
  /** QUERY_MESSAGE with _UNIQUE_KEY_QUERY: the content the 4.9 Java client and mqadmin sign (flag included). */
  contentWithQueryFlag: Buffer[] | undefined;
  /** Why the request's resources cannot be read (its header or body did not decode). */
  unreadable: string | undefined;
  /**
   * Another protocol's signature check (the gRPC endpoint's MQv2-HMAC-SHA1 over x-mq-date-time), given the
   * account's secretKey; when set it replaces the remoting check over `content`.
   */
  verifySignature?: (secretKey: string) => boolean;
}

export type AclDecision =
  | { allowed: true; by: 'global-white-address' | 'account-white-address' | 'signature' }
  | { allowed: false; reason: string };

type Need = (resource: string, perm: number) => void;

/** A send needs PUB on its topic, or SUB on the group when the topic is a retry topic. */
function needSend(need: Need, topic: string): void {
  need(topic, isRetryTopic(topic) ? Permission.SUB : Permission.PUB);
}

/**
 * What each request code needs, read from the request as the processor will execute it (the one decoding
 * of protocol/requests.ts). Codes not listed need no topic or group permission.
 */
const NEEDS: { readonly [C in DecodedCode]?: (request: DecodedRequest<C>, need: Need) => void } = {
  [RequestCode.SEND_MESSAGE]: ({ header }, need) => needSend(need, header.topic),
  [RequestCode.SEND_MESSAGE_V2]: ({ header }, need) => needSend(need, header.topic),
  [RequestCode.SEND_BATCH_MESSAGE]: ({ header }, need) => needSend(need, header.topic),
  [RequestCode.CONSUMER_SEND_MSG_BACK]: ({ header }, need) => need(retryTopic(header.group), Permission.SUB),
  [RequestCode.PULL_MESSAGE]: ({ header }, need) => {
    need(header.topic, Permission.SUB);
    need(retryTopic(header.consumerGroup), Permission.SUB);
  },
  [RequestCode.QUERY_MESSAGE]: ({ header }, need) => need(header.topic, Permission.SUB),
  [RequestCode.HEART_BEAT]: ({ body }, need) => {
    for (const consumer of body.consumerDataSet) {
      if (consumer.groupName) need(retryTopic(consumer.groupName), Permission.SUB);
      for (const subscription of consumer.subscriptionDataSet) if (subscription.topic) need(subscription.topic, Permission.SUB);
    }
  },
  [RequestCode.UNREGISTER_CLIENT]: ({ header }, need) => {
    if (header.consumerGroup) need(retryTopic(header.consumerGroup), Permission.SUB);
  },
  [RequestCode.GET_CONSUMER_LIST_BY_GROUP]: ({ header }, need) => need(retryTopic(header.consumerGroup), Permission.SUB),
  [RequestCode.UPDATE_CONSUMER_OFFSET]: ({ header }, need) => {
    need(retryTopic(header.consumerGroup), Permission.SUB);
    need(header.topic, Permission.SUB);
  },
  [RequestCode.POP_MESSAGE]: ({ header }, need) => {
    need(header.topic, Permission.SUB);
    need(retryTopic(header.consumerGroup), Permission.SUB);
  },
  [RequestCode.ACK_MESSAGE]: ({ header }, need) => {
    need(isRetryTopic(header.topic) ? retryTopic(header.consumerGroup) : header.topic, Permission.SUB);
    need(retryTopic(header.consumerGroup), Permission.SUB);
  },
  [RequestCode.CHANGE_MESSAGE_INVISIBLETIME]: ({ header }, need) => {
    need(isRetryTopic(header.topic) ? retryTopic(header.consumerGroup) : header.topic, Permission.SUB);
    need(retryTopic(header.consumerGroup), Permission.SUB);
  },
  [RequestCode.BATCH_ACK_MESSAGE]: ({ body }, need) => {
    for (const entry of body) {
      need(entry.topic, Permission.SUB);
      need(retryTopic(entry.group), Permission.SUB);
    }
  },
};

/**
 * Reads what a request needs, who sends it and what it signs. `remoteAddress` is the peer's "ip:port";
 * `decoded` is the request's one decoding (protocol/requests.ts), or the error decoding it raised.
 */
export function parseAccessResource(request: RemotingCommand, remoteAddress: string, decoded: DecodedRequest | Error): AccessResource {
  const ext = request.extFields;
  const needed = new Map<string, number>();
  let unreadable: string | undefined;
  if (decoded instanceof Error) unreadable = `${decoded.message}, so the request cannot be checked`;
  else {
    const needs = (NEEDS as Readonly<Record<number, (request: DecodedRequest, need: Need) => void>>)[request.code];
    needs?.(decoded, (resource, perm) => needed.set(resource, perm));
  }
  const hasQueryFlag = ext !== undefined && Object.hasOwn(ext, UNIQUE_MSG_QUERY_FLAG);
  return {
    remoteIp: remoteIp(remoteAddress),
    requestCode: request.code,
    accessKey: ext?.[AclField.ACCESS_KEY],
    signature: ext?.[AclField.SIGNATURE],
    needed,
    content: signedContent(ext, request.body, [UNIQUE_MSG_QUERY_FLAG]),
    contentWithQueryFlag: hasQueryFlag ? signedContent(ext, request.body) : undefined,
    unreadable,
  };
}

/** Decides a parsed request against an ACL. The reasons are RocketMQ's AclException messages. */
export function validateAccess(acl: PlainAcl, resource: AccessResource): AclDecision {
  if (acl.globalWhite.some((matcher) => matcher.matches(resource.remoteIp))) return { allowed: true, by: 'global-white-address' };
  if (!resource.accessKey) return { allowed: false, reason: 'No accessKey is configured' };
  const account = acl.accounts.get(resource.accessKey);
  if (!account) return { allowed: false, reason: `No acl config for ${resource.accessKey}` };
  if (account.whiteAddress.matches(resource.remoteIp)) return { allowed: true, by: 'account-white-address' };

  const signed = resource.verifySignature
    ? resource.verifySignature(account.config.secretKey)
    : signaturesEqual(calSignature(resource.content, account.config.secretKey), resource.signature) ||
      (resource.contentWithQueryFlag !== undefined && signaturesEqual(calSignature(resource.contentWithQueryFlag, account.config.secretKey), resource.signature));
  if (!signed) return { allowed: false, reason: `Check signature failed for accessKey=${resource.accessKey}` };
  if (resource.unreadable) return { allowed: false, reason: resource.unreadable };

  if (resource.needed.get(TopicValidator.RMQ_SYS_TRACE_TOPIC) === Permission.PUB) return { allowed: true, by: 'signature' };
  if (ADMIN_REQUEST_CODES.has(resource.requestCode) && !account.admin) {
    return { allowed: false, reason: `Need admin permission for request code=${resource.requestCode}, but accessKey=${resource.accessKey} is not` };
  }
  if (resource.needed.size === 0 || (account.admin && account.resourcePerms.size === 0)) return { allowed: true, by: 'signature' };
  for (const [name, neededPerm] of resource.needed) {
    const listed = account.resourcePerms.get(name);
    const owned = listed ?? (isRetryTopic(name) ? account.defaultGroupPerm : account.defaultTopicPerm);
    if (!checkPermission(neededPerm, owned)) {
      return { allowed: false, reason: `No ${listed === undefined ? 'default ' : ''}permission for ${resourceName(name)}` };
    }
  }
  return { allowed: true, by: 'signature' };
}
