/**
 * Request signatures of RocketMQ 4.x plain ACL (AclClientRPCHook, AclUtils, AclSigner in apache/rocketmq 4.9).
 *
 * The signed bytes are:
 *   the values of the request's extFields, in ascending order of their keys (Java String order = UTF-16 code
 *   units, which is what Array.prototype.sort compares), the `Signature` field left out, joined with nothing,
 *   as UTF-8
 *   followed by the body, when there is one.
 * The signature is HmacSHA1 of those bytes keyed with the account's secretKey (UTF-8), in standard base64.
 * The client adds `AccessKey` (and `SecurityToken` when it has one) to extFields before signing, then
 * `Signature`. ali-ons also adds `OnsChannel` ("ALIYUN") before signing; it is signed like any other field.
 *
 * One wrinkle, kept as the 4.9 broker has it: the broker leaves `_UNIQUE_KEY_QUERY` (QUERY_MESSAGE by message
 * id) out of the signed content, while the 4.9 Java client and mqadmin sign it (apache/rocketmq issues 5310
 * and 5636). Our client leaves it out, so Apache brokers accept it; our broker accepts either.
 */
import crypto from 'node:crypto';
import type { RemotingCommand } from '../protocol/remoting-command';
import { BrokerError } from '../util/errors';

export const AclField = {
  ACCESS_KEY: 'AccessKey',
  SIGNATURE: 'Signature',
  SECURITY_TOKEN: 'SecurityToken',
} as const;

/** MixAll.UNIQUE_MSG_QUERY_FLAG: set on QUERY_MESSAGE when the key is a message id. */
export const UNIQUE_MSG_QUERY_FLAG = '_UNIQUE_KEY_QUERY';

/** An account's keys as a client holds them (RocketMQ's SessionCredentials). */
export interface SessionCredentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

/**
 * The bytes a signature covers, in order: sorted extFields values (minus Signature and `omit`), then the body.
 * Kept as parts so a large body is hashed where it lies instead of being copied.
 */
export function signedContent(extFields: Readonly<Record<string, string>> | undefined, body: Buffer | undefined, omit: readonly string[] = []): Buffer[] {
  const keys = Object.keys(extFields ?? {}).filter((key) => key !== AclField.SIGNATURE && !omit.includes(key)).sort();
  let text = '';
  for (const key of keys) text += extFields![key];
  const head = Buffer.from(text, 'utf8');
  return body && body.length > 0 ? [head, body] : [head];
}

/** HmacSHA1(content, secretKey) in base64, as AclSigner.calSignature. */
export function calSignature(content: Buffer | readonly Buffer[], secretKey: string): string {
  const hmac = crypto.createHmac('sha1', Buffer.from(secretKey, 'utf8'));
  for (const part of Buffer.isBuffer(content) ? [content] : content) hmac.update(part);
  return hmac.digest('base64');
}

/** Compares two base64 signatures in constant time (for equal lengths). */
export function signaturesEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * The request with AccessKey, SecurityToken (when given) and Signature added, signed like AclClientRPCHook
 * (without `_UNIQUE_KEY_QUERY`, which Apache brokers leave out when they check). Does not change `request`.
 */
export function signRequest(request: RemotingCommand, credentials: SessionCredentials): RemotingCommand {
  const extFields: Record<string, string> = { ...(request.extFields ?? {}) };
  extFields[AclField.ACCESS_KEY] = credentials.accessKey;
  if (credentials.securityToken !== undefined) extFields[AclField.SECURITY_TOKEN] = credentials.securityToken;
  delete extFields[AclField.SIGNATURE];
  extFields[AclField.SIGNATURE] = calSignature(signedContent(extFields, request.body, [UNIQUE_MSG_QUERY_FLAG]), credentials.secretKey);
  return { ...request, extFields };
}

/** A remoting client hook that signs every request it sends (RocketMQ's AclClientRPCHook). */
export function aclRpcHook(credentials: SessionCredentials): (request: RemotingCommand) => RemotingCommand {
  if (!credentials.accessKey || !credentials.secretKey) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'ACL credentials need both an accessKey and a secretKey');
  return (request) => signRequest(request, credentials);
}
