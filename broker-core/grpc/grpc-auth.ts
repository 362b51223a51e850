/**
 * ACL for gRPC calls (ACL_ENABLE / aclEnable): the same plain_acl.yml accounts, address white lists and
 * permissions as remoting requests (acl/plain-access-validator.ts decides), with the 5.x clients' signature:
 *
 *   authorization: MQv2-HMAC-SHA1 Credential=<accessKey>, SignedHeaders=x-mq-date-time, Signature=<hex>
 *   x-mq-date-time: 20260309T195445Z
 *
 * Signature = HmacSHA1(secretKey, value of x-mq-date-time), upper-case hex (the Node.js and Java clients send it
 * upper case; it is compared without regard to case). Permissions per call, as for the remoting codes that do
 * the same thing: sends (and EndTransaction, RecallMessage) PUB on the topic; receiving, acking, pulling and
 * offsets SUB on the topic and on the group; a consumer's Settings and heartbeats SUB on its group and topics;
 * everything else a known account with a good signature.
 * A missing or unknown credential, or a wrong signature, answers UNAUTHORIZED; a missing permission FORBIDDEN.
 */
import crypto from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { BrokerAcl } from '../acl/broker-acl';
import { Permission, retryTopic } from '../acl/permission';
import type { AccessResource } from '../acl/plain-access-validator';
import { remoteIp } from '../acl/remote-address';
import type { AccessNeed, CallInfo } from './messaging-service';
import { peerAddress } from './messaging-service';
import { GrpcStatusError } from './status';

const AUTHORIZATION = /^MQv2-HMAC-SHA1\s+(.*)$/i;
/** Not a RocketMQ request code: gRPC calls are never admin requests. */
const GRPC_REQUEST_CODE = -1;

export interface Authorization {
  accessKey: string;
  signedHeaders: string;
  signature: string;
}

/** Parses the authorization header; null when it is not an MQv2-HMAC-SHA1 one. */
export function parseAuthorization(header: string): Authorization | null {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return null;
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  // Some clients write Credential=<accessKey>/<region or date>: the key is the part before the first "/".
  const accessKey = fields.get('credential')?.split('/')[0];
  const signature = fields.get('signature');
  if (!accessKey || !signature) return null;
  return { accessKey, signedHeaders: fields.get('signedheaders') ?? 'x-mq-date-time', signature };
}

/** HmacSHA1(secretKey, dateTime) in upper-case hex, as the 5.x clients sign. */
export function grpcSignature(secretKey: string, dateTime: string): string {
  return crypto.createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(dateTime, 'utf8').digest('hex').toUpperCase();
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(given.toUpperCase(), 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function header(metadata: grpc.Metadata, key: string): string {
  const value = metadata.get(key)[0];
  return value === undefined ? '' : String(value);
}

/** The ACL check of gRPC calls, on a broker's (or the proxy's) plain ACL. */
export function grpcAuthorizer(acl: BrokerAcl): (call: CallInfo, need: AccessNeed) => void {
  return (call, need) => {
    const authorization = parseAuthorization(header(call.metadata, 'authorization'));
    const dateTime = header(call.metadata, 'x-mq-date-time');
    const needed = new Map<string, number>();
    for (const topic of need.pub ?? []) needed.set(topic, Permission.PUB);
    for (const topic of need.subTopics ?? []) needed.set(topic, Permission.SUB);
    for (const group of need.subGroups ?? []) needed.set(retryTopic(group), Permission.SUB);
    const resource: AccessResource = {
      remoteIp: remoteIp(peerAddress(call.peer)),
      requestCode: GRPC_REQUEST_CODE,
      accessKey: authorization?.accessKey,
      signature: authorization?.signature,
      needed,
      content: [],
      contentWithQueryFlag: undefined,
      unreadable: undefined,
      verifySignature: (secretKey) => !!authorization && !!dateTime && sameSignature(grpcSignature(secretKey, dateTime), authorization.signature),
    };
    const decision = acl.decide(resource, `gRPC ${call.method}`, peerAddress(call.peer));
    if (decision.allowed) return;
    const unauthenticated = /accessKey|acl config|signature/i.test(decision.reason);
    throw new GrpcStatusError(unauthenticated ? 'UNAUTHORIZED' : 'FORBIDDEN', decision.reason);
  };
}
