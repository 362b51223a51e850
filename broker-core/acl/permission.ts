/**
 * Permissions of RocketMQ 4.x plain ACL (Permission.java, AclConstants.java in apache/rocketmq 4.9):
 * bits DENY 1, ANY 2, PUB 4, SUB 8; written DENY, PUB, SUB, PUB|SUB (or SUB|PUB) in plain_acl.yml.
 * Groups are checked as their retry topic `%RETRY%<group>`, so one map holds topics and groups.
 */
import { RETRY_GROUP_TOPIC_PREFIX } from '../broker/topics/topic-config-manager';
import { RequestCode } from '../protocol/request-code';
import { AclConfigError } from './acl-config-error';

export const Permission = { DENY: 1, ANY: 2, PUB: 4, SUB: 8 } as const;

export const PERMISSION_TEXTS = ['DENY', 'PUB', 'SUB', 'PUB|SUB', 'SUB|PUB'] as const;

/** `PUB|SUB` → 12; an unknown text is an AclConfigError (RocketMQ would silently read it as DENY). */
export function parsePermission(text: string, where: string): number {
  switch (text.trim()) {
    case 'DENY':
      return Permission.DENY;
    case 'PUB':
      return Permission.PUB;
    case 'SUB':
      return Permission.SUB;
    case 'PUB|SUB':
    case 'SUB|PUB':
      return Permission.PUB | Permission.SUB;
    default:
      throw new AclConfigError(`${where}: "${text}" is not a permission (one of DENY, PUB, SUB, PUB|SUB)`);
  }
}

export function permissionText(perm: number): string {
  if (perm & Permission.DENY) return 'DENY';
  const pub = (perm & Permission.PUB) !== 0;
  const sub = (perm & Permission.SUB) !== 0;
  return pub && sub ? 'PUB|SUB' : pub ? 'PUB' : sub ? 'SUB' : 'DENY';
}

/** Whether an owned permission grants a needed one (DENY grants nothing; ANY needs PUB or SUB). */
export function checkPermission(needed: number, owned: number): boolean {
  if (owned & Permission.DENY) return false;
  if (needed & Permission.ANY) return (owned & (Permission.PUB | Permission.SUB)) !== 0;
  return (needed & owned) !== 0;
}

/**
 * Codes only an admin account may send. RocketMQ 4.9 lists the first five; the ACL codes that change the ACL
 * or return its secret keys are added here (4.9 lets any signed account change the ACL).
 */
export const ADMIN_REQUEST_CODES: ReadonlySet<number> = new Set<number>([
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  RequestCode.UPDATE_AND_CREATE_ACL_CONFIG,
  RequestCode.DELETE_ACL_CONFIG,
  RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
  RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG,
]);

export function retryTopic(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

export function isRetryTopic(resource: string): boolean {
  return resource.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

/** How a refusal names a resource: `topic:T` or `group:G` (PlainAccessResource.printStr). */
export function resourceName(resource: string): string {
  return isRetryTopic(resource) ? `group:${resource.slice(RETRY_GROUP_TOPIC_PREFIX.length)}` : `topic:${resource}`;
}
