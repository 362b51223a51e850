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
 *   ADMIN_REQUEST_CODES (permission.ts)         an admin account
 *   anything else                               a known account and a good signature
 *
 * The checks, in order: a globalWhiteRemoteAddresses match lets the request through; else it needs an
 * AccessKey naming an account; that account's whiteRemoteAddress match lets it through; else the signature
 * must match; a send to RMQ_SYS_TRACE_TOPIC (message trace) then passes; else admin codes need an admin
 * account, and every needed permission must be granted by the account's topicPerms/groupPerms or, for
 * resources not listed, its defaultTopicPerm/defaultGroupPerm (an admin with no perms listed has them all).
 *
 * Two differences from 4.9, both closing gaps: SEND_BATCH_MESSAGE is checked like SEND_MESSAGE_V2 (4.9
 * checks no topic for it), and a send to a retry topic is checked against the group the topic names (4.9
 * reads a `group` field SEND_MESSAGE does not have).
 */
import { parseJavaJson } from '../protocol/fastjson';
import { RequestCode } from '../protocol/request-code';
import type { RemotingCommand } from '../protocol/remoting-command';
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
  /** A request whose resources cannot be read (a heartbeat body that is not JSON). */
  unreadable: string | undefined;
}

export type AclDecision =
  | { allowed: true; by: 'global-white-address' | 'account-white-address' | 'signature' }
  | { allowed: false; reason: string };

interface HeartbeatResources {
  consumerDataSet?: { groupName?: unknown; subscriptionDataSet?: { topic?: unknown }[] }[];
}

function need(needed: Map<string, number>, resource: string | undefined, perm: number): void {
  if (resource) needed.set(resource, perm);
}

/** A send needs PUB on its topic, or SUB on the group when the topic is a retry topic. */
function needSend(needed: Map<string, number>, topic: string | undefined): void {
  if (topic && isRetryTopic(topic)) need(needed, topic, Permission.SUB);
  else need(needed, topic, Permission.PUB);
}

function group(name: string | undefined): string | undefined {
  return name ? retryTopic(name) : undefined;
}

function readNeeded(request: RemotingCommand, needed: Map<string, number>): string | undefined {
  const ext = request.extFields ?? {};
  switch (request.code) {
    case RequestCode.SEND_MESSAGE:
      needSend(needed, ext.topic);
      break;
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE:
      needSend(needed, ext.b ?? ext.topic);
      break;
    case RequestCode.CONSUMER_SEND_MSG_BACK:
      need(needed, group(ext.group), Permission.SUB);
      break;
    case RequestCode.PULL_MESSAGE:
      need(needed, ext.topic, Permission.SUB);
      need(needed, group(ext.consumerGroup), Permission.SUB);
      break;
    case RequestCode.QUERY_MESSAGE:
      need(needed, ext.topic, Permission.SUB);
      break;
    case RequestCode.HEART_BEAT: {
      let body: HeartbeatResources;
      try {
        body = (request.body?.length ? parseJavaJson(request.body.toString('utf8')) : {}) as HeartbeatResources;
      } catch {
        return 'the heartbeat body is not JSON, so its groups and topics cannot be checked';
      }
      for (const consumer of Array.isArray(body?.consumerDataSet) ? body.consumerDataSet : []) {
        need(needed, group(typeof consumer?.groupName === 'string' ? consumer.groupName : undefined), Permission.SUB);
        for (const subscription of Array.isArray(consumer?.subscriptionDataSet) ? consumer.subscriptionDataSet : []) {
          need(needed, typeof subscription?.topic === 'string' ? subscription.topic : undefined, Permission.SUB);
        }
      }
      break;
    }
    case RequestCode.UNREGISTER_CLIENT:
    case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
      need(needed, group(ext.consumerGroup), Permission.SUB);
      break;
    case RequestCode.UPDATE_CONSUMER_OFFSET:
      need(needed, group(ext.consumerGroup), Permission.SUB);
      need(needed, ext.topic, Permission.SUB);
      break;
    default:
      break;
  }
  return undefined;
}

/** Reads what a request needs, who sends it and what it signs. `remoteAddress` is the peer's "ip:port". */
export function parseAccessResource(request: RemotingCommand, remoteAddress: string): AccessResource {
  const ext = request.extFields;
  const needed = new Map<string, number>();
  const unreadable = readNeeded(request, needed);
  const hasQueryFlag = ext !== undefined && UNIQUE_MSG_QUERY_FLAG in ext;
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

  const signature = calSignature(resource.content, account.config.secretKey);
  const signed = signaturesEqual(signature, resource.signature) ||
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
