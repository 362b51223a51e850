/**
 * The ACL admin codes of RocketMQ 4.9 (AdminBrokerProcessor), which mqadmin's updateAclConfig,
 * deleteAclConfig, updateGlobalWhiteAddr, clusterAclConfigVersion and getAclConfig send:
 *
 *   UPDATE_AND_CREATE_ACL_CONFIG 50      header accessKey*, secretKey, whiteRemoteAddress, admin, defaultTopicPerm,
 *                                        defaultGroupPerm, topicPerms, groupPerms (comma lists) → 0, or 209 + remark
 *   DELETE_ACL_CONFIG 51                 header accessKey* → 0, or 210 + remark
 *   GET_BROKER_CLUSTER_ACL_INFO 52       → response header version (DataVersion JSON), allAclFileVersion
 *                                        ({path: DataVersion} JSON), brokerName, brokerAddr, clusterName
 *   UPDATE_GLOBAL_WHITE_ADDRS_CONFIG 53  header globalWhiteAddrs* (comma list), aclFileFullPath → 0, or 211 + remark
 *   GET_BROKER_CLUSTER_ACL_CONFIG 54     → body {"globalWhiteAddrs":[..],"plainAccessConfigs":[{accessKey, ...}]}
 *
 * Changes are written to plain_acl.yml and take effect at once. With ACL off they are refused with a remark
 * (RocketMQ 4.9 fails them with a NullPointerException).
 */
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { BrokerAcl } from '../../acl/broker-acl';
import type { BrokerContext } from '../broker-context';
import { Header } from './header';

const ACL_OFF = 'ACL is not enabled on this broker (aclEnable=false in broker.properties, ACL_ENABLE for npm start)';

function commaList(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function withAcl(ctx: BrokerContext, request: RemotingCommand, failureCode: number, action: (acl: BrokerAcl) => RemotingCommand): RemotingCommand {
  if (!ctx.acl) return createResponse(request, failureCode, ACL_OFF);
  try {
    return action(ctx.acl);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.logger.warn('ACL change refused', { error: message });
    return createResponse(request, failureCode, message);
  }
}

export function processUpdateAndCreateAclConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return withAcl(ctx, request, ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED, (acl) => {
    const header = new Header(request);
    const accessKey = header.string('accessKey');
    const optional = (name: string) => {
      const value = header.optString(name)?.trim();
      return value ? value : undefined;
    };
    acl.manager.updateAccessConfig({
      accessKey,
      secretKey: optional('secretKey'),
      whiteRemoteAddress: header.optString('whiteRemoteAddress')?.trim(),
      admin: header.optBoolean('admin') ?? false,
      defaultTopicPerm: optional('defaultTopicPerm'),
      defaultGroupPerm: optional('defaultGroupPerm'),
      topicPerms: commaList(header.optString('topicPerms')),
      groupPerms: commaList(header.optString('groupPerms')),
    });
    ctx.logger.info('ACL account updated', { accessKey });
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function processDeleteAclConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return withAcl(ctx, request, ResponseCode.DELETE_ACL_CONFIG_FAILED, (acl) => {
    const accessKey = new Header(request).string('accessKey');
    if (!acl.manager.deleteAccessConfig(accessKey)) {
      return createResponse(request, ResponseCode.DELETE_ACL_CONFIG_FAILED, `The accesskey[${accessKey}] corresponding to accessConfig has been deleted failed: no such account in ${acl.manager.file}`);
    }
    ctx.logger.info('ACL account deleted', { accessKey });
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function processUpdateGlobalWhiteAddrsConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return withAcl(ctx, request, ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED, (acl) => {
    const header = new Header(request);
    const patterns = commaList(header.string('globalWhiteAddrs')) ?? [];
    const file = header.optString('aclFileFullPath')?.trim();
    if (file && file !== acl.manager.file) {
      return createResponse(request, ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED, `this broker's ACL file is ${acl.manager.file}, not ${file}`);
    }
    acl.manager.updateGlobalWhiteRemoteAddresses(patterns);
    ctx.logger.info('ACL global white addresses updated', { globalWhiteRemoteAddresses: patterns });
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function processGetBrokerClusterAclInfo(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return withAcl(ctx, request, ResponseCode.SYSTEM_ERROR, (acl) => {
    const version = JSON.stringify(acl.manager.dataVersion);
    return createResponse(request, ResponseCode.SUCCESS, undefined, {
      version,
      allAclFileVersion: JSON.stringify({ [acl.manager.file]: acl.manager.dataVersion }),
      brokerName: ctx.config.brokerName,
      brokerAddr: ctx.brokerAddr,
      clusterName: ctx.config.brokerClusterName,
    });
  });
}

export function processGetBrokerClusterAclConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return withAcl(ctx, request, ResponseCode.SYSTEM_ERROR, (acl) => {
    const { globalWhiteRemoteAddresses, accounts } = acl.manager.acl;
    const plainAccessConfigs = [...accounts.values()].map(({ config }) => ({
      accessKey: config.accessKey,
      admin: config.admin,
      ...(config.defaultGroupPerm ? { defaultGroupPerm: config.defaultGroupPerm } : {}),
      ...(config.defaultTopicPerm ? { defaultTopicPerm: config.defaultTopicPerm } : {}),
      groupPerms: config.groupPerms,
      secretKey: config.secretKey,
      topicPerms: config.topicPerms,
      ...(config.whiteRemoteAddress ? { whiteRemoteAddress: config.whiteRemoteAddress } : {}),
    }));
    const body = Buffer.from(JSON.stringify({ globalWhiteAddrs: globalWhiteRemoteAddresses, plainAccessConfigs }), 'utf8');
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, body);
  });
}
