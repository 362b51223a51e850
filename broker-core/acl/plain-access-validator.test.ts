import { describe, expect, it } from 'vitest';
import { stringifyJavaJson } from '../protocol/fastjson';
import { createRequest, type ExtFieldsInput, type RemotingCommand } from '../protocol/remoting-command';
import { decodeRequest, type DecodedRequest } from '../protocol/requests';
import { RequestCode } from '../protocol/request-code';
import { calSignature, signedContent, signRequest, UNIQUE_MSG_QUERY_FLAG } from './acl-signer';
import { parseAccessResource, validateAccess } from './plain-access-validator';
import { parsePlainAcl, PlainAclDocument } from './plain-acl-file';
import { Permission } from './permission';

// RocketMQ 4.9's distribution/conf/plain_acl.yml, plus a few accounts for the cases below.
const FILE = `# comment kept on edits
globalWhiteRemoteAddresses:
  - 10.10.103.*
  - 192.168.0.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=DENY
      - topicB=PUB|SUB
      - topicC=SUB
    groupPerms:
      # the group should convert to retry topic
      - groupA=DENY
      - groupB=PUB|SUB
      - groupC=SUB

  - accessKey: rocketmq2
    secretKey: 12345678
    whiteRemoteAddress: 192.168.1.*
    # if it is admin, it could access all resources
    admin: true

  - accessKey: trusted_ip
    secretKey: 0123456789
    whiteRemoteAddress: 127.0.0.1
`;

const { acl } = parsePlainAcl(FILE);
const ROCKETMQ = { accessKey: 'RocketMQ', secretKey: '12345678' };
const ADMIN = { accessKey: 'rocketmq2', secretKey: '12345678' };

function decide(code: number, fields: ExtFieldsInput, options: { body?: Buffer; from?: string; as?: { accessKey: string; secretKey: string } | null } = {}) {
  const request = createRequest(code, fields, options.body);
  const sent = options.as === null ? request : signRequest(request, options.as ?? ROCKETMQ);
  return validateAccess(acl, parseAccessResource(sent, `${options.from ?? '127.0.0.1'}:40000`, decoding(sent)));
}

/** The request's one decoding, or the error decoding it raised (as the broker hands it to the ACL). */
function decoding(request: RemotingCommand): DecodedRequest | Error {
  try {
    return decodeRequest(request);
  } catch (err) {
    return err as Error;
  }
}

/** The other fields of a send (V2 names), of a pull and of a send-back, so that a row names only what it checks. */
const SEND = { a: 'PG', c: 'TBW102', d: 4, e: 0, f: 0, g: 1700000000000, h: 0 };
const PULL = { queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 0 };
const BACK = { offset: 1, delayLevel: 0 };

const refused = (reason: string | RegExp) => ({ allowed: false, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });

describe('plain_acl.yml', () => {
  it('reads RocketMQ 4.9 distribution file, keys as text', () => {
    expect(acl.globalWhiteRemoteAddresses).toEqual(['10.10.103.*', '192.168.0.*']);
    expect([...acl.accounts.keys()]).toEqual(['RocketMQ', 'rocketmq2', 'trusted_ip']);
    const rocketmq = acl.accounts.get('RocketMQ')!;
    expect(rocketmq.config).toEqual({
      accessKey: 'RocketMQ', secretKey: '12345678', whiteRemoteAddress: null, admin: false, defaultTopicPerm: 'DENY', defaultGroupPerm: 'SUB',
      topicPerms: ['topicA=DENY', 'topicB=PUB|SUB', 'topicC=SUB'], groupPerms: ['groupA=DENY', 'groupB=PUB|SUB', 'groupC=SUB'],
    });
    expect(rocketmq.resourcePerms.get('topicB')).toBe(Permission.PUB | Permission.SUB);
    expect(rocketmq.resourcePerms.get('%RETRY%groupA')).toBe(Permission.DENY);
    expect(acl.accounts.get('rocketmq2')!.defaultTopicPerm).toBe(Permission.DENY);
    expect(acl.accounts.get('trusted_ip')!.config.secretKey).toBe('0123456789');
  });

  it('reads an empty or comment-only file as no accounts', () => {
    expect(parsePlainAcl('# nothing yet\n').acl.accounts.size).toBe(0);
    expect(parsePlainAcl('accounts:\nglobalWhiteRemoteAddresses:\n').acl.accounts.size).toBe(0);
  });

  it.each([
    ['accounts:\n  - accessKey: abc\n    secretKey: [x\n', /conf\.yml: not valid YAML/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n  - accessKey: alice_ak\n    secretKey: other_sk\n', /conf\.yml line 4: accessKey alice_ak is given twice \(first at conf\.yml line 2\)/],
    ['accounts:\n  - accessKey: short\n    secretKey: alice_sk\n', /line 2: accounts entry 1 accessKey must be longer than 6 characters/],
    ['accounts:\n  - accessKey: alice_ak\n', /line 2: accounts entry 1 has no secretKey/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    defaultTopicPerm: PUBB\n', /line 4: defaultTopicPerm of alice_ak: "PUBB" is not a permission/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    topicPerms:\n      - a=SUB\n      - topicB\n', /line 6: topicPerms of alice_ak: "topicB" must be name=PERM/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    topicPerms: topicA=SUB\n', /line 4: accounts entry 1 topicPerms must be a list/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    admin: maybe\n', /line 4: accounts entry 1 admin must be true or false/],
    ['accounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    whiteRemoteAddress: 192.168.1-300.*\n', /line 4: whiteRemoteAddress of alice_ak: remote address pattern "192.168.1-300.\*"/],
    ['globalWhiteRemoteAddresses:\n  - 10.10.*\n', /line 2: globalWhiteRemoteAddresses: remote address pattern "10.10.\*" must have 4 parts/],
    ['accounts:\n  accessKey: alice_ak\n', /line 2: accounts must be a list/],
    ['- a\n- b\n', /the file must be a map/],
  ])('refuses a bad file with the line and the problem (%#)', (text, message) => {
    expect(() => parsePlainAcl(text, 'conf.yml')).toThrow(message);
  });

  it('warns about keys RocketMQ does not read', () => {
    const { warnings } = parsePlainAcl('acounts: []\naccounts:\n  - accessKey: alice_ak\n    secretKey: alice_sk\n    admn: true\n', 'f.yml');
    expect(warnings).toEqual(['f.yml line 1: top-level key "acounts" is not one RocketMQ reads; ignored', 'f.yml line 5: accounts entry 1 key "admn" is not one RocketMQ reads; ignored']);
  });

  it('edits keep comments and other accounts, and read back', () => {
    const doc = PlainAclDocument.parse(FILE, 'f.yml');
    doc.upsertAccount({ accessKey: 'RocketMQ', admin: true, topicPerms: ['topicZ=PUB'] });
    doc.upsertAccount({ accessKey: 'new_account', secretKey: 'new_secret', admin: false, defaultTopicPerm: 'SUB' });
    expect(doc.deleteAccount('trusted_ip')).toBe(true);
    expect(doc.deleteAccount('nobody_here')).toBe(false);
    doc.setGlobalWhiteRemoteAddresses(['127.0.0.2']);
    doc.setDataVersion({ counter: 3, timestamp: 1700000000000 });
    const text = doc.toString();
    expect(text).toContain('# comment kept on edits');
    expect(text).toContain('# if it is admin, it could access all resources');
    const again = parsePlainAcl(text).acl;
    expect([...again.accounts.keys()]).toEqual(['RocketMQ', 'rocketmq2', 'new_account']);
    expect(again.accounts.get('RocketMQ')!.config).toMatchObject({ secretKey: '12345678', admin: true, defaultGroupPerm: 'SUB', topicPerms: ['topicZ=PUB'] });
    expect(again.accounts.get('new_account')!.config).toMatchObject({ secretKey: 'new_secret', defaultTopicPerm: 'SUB', defaultGroupPerm: null });
    expect(again.globalWhiteRemoteAddresses).toEqual(['127.0.0.2']);
    expect(again.dataVersion).toEqual({ counter: 3, timestamp: 1700000000000 });
  });
});

describe('PlainAccessValidator', () => {
  const heartbeat = (group: string, topics: string[]) =>
    Buffer.from(stringifyJavaJson({ clientID: 'c', producerDataSet: [], consumerDataSet: [{ groupName: group, subscriptionDataSet: topics.map((topic) => ({ topic, subString: '*' })) }] }));

  it('checks sends against topic permissions and defaults', () => {
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, a: 'PG', b: 'topicB' })).toMatchObject({ allowed: true, by: 'signature' });
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, a: 'PG', b: 'topicC' })).toEqual(refused('No permission for topic:topicC'));
    expect(decide(RequestCode.SEND_MESSAGE, { producerGroup: 'PG', topic: 'topicA', queueId: 0, sysFlag: 0, bornTimestamp: 1, flag: 0 })).toEqual(refused('No permission for topic:topicA'));
    expect(decide(RequestCode.SEND_BATCH_MESSAGE, { ...SEND, a: 'PG', b: 'other' })).toEqual(refused('No default permission for topic:other'));
  });

  it('checks POP, ACK and CHANGE_MESSAGE_INVISIBLETIME like a pull: SUB on the topic and the group', () => {
    const POP = { queueId: -1, maxMsgNums: 8, invisibleTime: 60_000 };
    const ACK = { queueId: 0, extraInfo: '0 1 60000 0 0 broker-a 0 0', offset: 0 };
    expect(decide(RequestCode.POP_MESSAGE, { ...POP, consumerGroup: 'groupB', topic: 'topicC' })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.POP_MESSAGE, { ...POP, consumerGroup: 'groupA', topic: 'topicC' })).toEqual(refused('No permission for group:groupA'));
    expect(decide(RequestCode.POP_MESSAGE, { ...POP, consumerGroup: 'groupB', topic: 'topicA' })).toEqual(refused('No permission for topic:topicA'));
    expect(decide(RequestCode.ACK_MESSAGE, { ...ACK, consumerGroup: 'groupB', topic: 'topicA' })).toEqual(refused('No permission for topic:topicA'));
    expect(decide(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { ...ACK, invisibleTime: 60_000, consumerGroup: 'groupA', topic: '%RETRY%groupA_topicC' })).toEqual(refused('No permission for group:groupA'));
    expect(decide(RequestCode.ACK_MESSAGE, { ...ACK, consumerGroup: 'groupB', topic: '%RETRY%groupB_topicC' })).toMatchObject({ allowed: true });
  });

  it('maps retry topics and groups to group permissions', () => {
    expect(decide(RequestCode.PULL_MESSAGE, { ...PULL, consumerGroup: 'groupB', topic: 'topicC' })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.PULL_MESSAGE, { ...PULL, consumerGroup: 'groupA', topic: 'topicC' })).toEqual(refused('No permission for group:groupA'));
    expect(decide(RequestCode.PULL_MESSAGE, { ...PULL, consumerGroup: 'groupB', topic: 'topicA' })).toEqual(refused('No permission for topic:topicA'));
    // defaultGroupPerm SUB covers unlisted groups
    expect(decide(RequestCode.CONSUMER_SEND_MSG_BACK, { ...BACK, group: 'anyGroup' })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, a: 'x', b: '%RETRY%groupA' })).toEqual(refused('No permission for group:groupA'));
    expect(decide(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'groupC', topic: 'topicB', queueId: 0, commitOffset: 4 })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'groupA' })).toEqual(refused('No permission for group:groupA'));
  });

  it('checks every group and topic of a heartbeat', () => {
    expect(decide(RequestCode.HEART_BEAT, {}, { body: heartbeat('groupB', ['topicB', 'topicC', '%RETRY%groupB']) })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.HEART_BEAT, {}, { body: heartbeat('groupB', ['topicB', 'topicA']) })).toEqual(refused('No permission for topic:topicA'));
    expect(decide(RequestCode.HEART_BEAT, {}, { body: Buffer.from('{not json') })).toEqual(refused(/heartbeat body is not JSON/));
  });

  it.each([
    ['V2 b and topic', RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB', topic: 'topicA' }, refused(/<topic> is sent twice, as <b> and as <topic>/), undefined],
    ['V2 empty b and topic', RequestCode.SEND_MESSAGE_V2, { ...SEND, b: '', topic: 'topicA' }, refused(/sent twice/), undefined],
    ['batch b and topic', RequestCode.SEND_BATCH_MESSAGE, { ...SEND, b: 'topicB', topic: 'topicA' }, refused(/sent twice/), undefined],
    ['V2 a and producerGroup', RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB', producerGroup: 'PG' }, refused(/<producerGroup> is sent twice/), undefined],
    ['V2 long name only, denied', RequestCode.SEND_MESSAGE_V2, { ...SEND, topic: 'topicA' }, refused('No permission for topic:topicA'), 'topicA'],
    ['V2 long name only, allowed', RequestCode.SEND_MESSAGE_V2, { ...SEND, topic: 'topicB' }, { allowed: true, by: 'signature' }, 'topicB'],
    ['V1 topic with a stray b', RequestCode.SEND_MESSAGE, { producerGroup: 'PG', topic: 'topicB', b: 'topicA', queueId: 0, sysFlag: 0, bornTimestamp: 1, flag: 0 }, { allowed: true, by: 'signature' }, 'topicB'],
    ['V1 denied topic with a stray b', RequestCode.SEND_MESSAGE, { producerGroup: 'PG', topic: 'topicA', b: 'topicB', queueId: 0, sysFlag: 0, bornTimestamp: 1, flag: 0 }, refused('No permission for topic:topicA'), 'topicA'],
  ])('checks a send on the topic it executes with: %s', (_name, code, fields, decision, executedTopic) => {
    expect(decide(code, fields)).toEqual(decision);
    const decoded = decoding(signRequest(createRequest(code, fields), ROCKETMQ));
    if (executedTopic === undefined) expect(decoded).toBeInstanceOf(Error);
    else expect((decoded as DecodedRequest<typeof RequestCode.SEND_MESSAGE>).header.topic).toBe(executedTopic);
  });

  it('refuses a request whose header does not decode once the account is known, and only then', () => {
    expect(decide(RequestCode.PULL_MESSAGE, { consumerGroup: 'groupB', topic: 'topicB' })).toEqual(refused(/<queueId> is null, so the request cannot be checked/));
    expect(decide(RequestCode.PULL_MESSAGE, { consumerGroup: 'groupB', topic: 'topicB' }, { as: null })).toEqual(refused('No accessKey is configured'));
    expect(decide(RequestCode.PULL_MESSAGE, { consumerGroup: 'groupB', topic: 'topicB' }, { as: null, from: '192.168.0.7' })).toMatchObject({ allowed: true });
  });

  it('refuses unsigned, unknown and wrongly signed requests', () => {
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB' }, { as: null })).toEqual(refused('No accessKey is configured'));
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB' }, { as: { accessKey: 'stranger', secretKey: '12345678' } })).toEqual(refused('No acl config for stranger'));
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB' }, { as: { accessKey: 'RocketMQ', secretKey: 'wrong-secret' } })).toEqual(refused('Check signature failed for accessKey=RocketMQ'));
    const tampered = signRequest(createRequest(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB' }), ROCKETMQ);
    tampered.extFields!.b = 'topicC';
    expect(validateAccess(acl, parseAccessResource(tampered, '127.0.0.1:1', decoding(tampered)))).toEqual(refused('Check signature failed for accessKey=RocketMQ'));
    const bodyChanged = { ...signRequest(createRequest(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicB' }, Buffer.from('a')), ROCKETMQ), body: Buffer.from('b') };
    expect(validateAccess(acl, parseAccessResource(bodyChanged, '127.0.0.1:1', decoding(bodyChanged)))).toMatchObject({ allowed: false });
  });

  it('keeps admin codes to admin accounts; an admin with no perms listed may do everything', () => {
    expect(decide(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'topicB' })).toEqual(refused('Need admin permission for request code=17, but accessKey=RocketMQ is not'));
    expect(decide(RequestCode.DELETE_ACL_CONFIG, { accessKey: 'x' })).toEqual(refused(/request code=51/));
    expect(decide(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'topicB' }, { as: ADMIN })).toMatchObject({ allowed: true });
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'anything' }, { as: ADMIN })).toMatchObject({ allowed: true });
    // codes with no resources need only a good signature
    expect(decide(RequestCode.GET_BROKER_RUNTIME_INFO, {})).toMatchObject({ allowed: true });
  });

  it('lets white-listed addresses through without (or with a wrong) signature, others not', () => {
    expect(decide(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 't' }, { as: null, from: '192.168.0.7' })).toMatchObject({ allowed: true, by: 'global-white-address' });
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicA' }, { as: { accessKey: 'rocketmq2', secretKey: 'wrong-secret' }, from: '192.168.1.9' })).toMatchObject({ allowed: true, by: 'account-white-address' });
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 'topicA' }, { as: { accessKey: 'rocketmq2', secretKey: 'wrong-secret' }, from: '127.0.0.1' })).toEqual(refused(/Check signature failed/));
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, b: 't' }, { as: { accessKey: 'trusted_ip', secretKey: 'not-its-secret' }, from: '127.0.0.1' })).toMatchObject({ by: 'account-white-address' });
  });

  it('lets a signed send to the trace topic through, as RocketMQ does for message trace', () => {
    expect(decide(RequestCode.SEND_MESSAGE_V2, { ...SEND, a: 'x', b: 'RMQ_SYS_TRACE_TOPIC' })).toMatchObject({ allowed: true });
  });

  it('accepts QUERY_MESSAGE signed with or without _UNIQUE_KEY_QUERY (4.9 Java client vs 4.9 broker)', () => {
    expect(decide(RequestCode.QUERY_MESSAGE, { topic: 'topicC', key: 'k', [UNIQUE_MSG_QUERY_FLAG]: 'true' })).toMatchObject({ allowed: true });
    // what the 4.9 Java client and mqadmin send: the flag signed with the rest
    const ext = { topic: 'topicC', key: 'k', [UNIQUE_MSG_QUERY_FLAG]: 'true', AccessKey: 'RocketMQ' };
    const javaStyle = createRequest(RequestCode.QUERY_MESSAGE, { ...ext, Signature: calSignature(signedContent(ext, undefined), ROCKETMQ.secretKey) });
    expect(validateAccess(acl, parseAccessResource(javaStyle, '127.0.0.1:1', decoding(javaStyle)))).toMatchObject({ allowed: true });
  });
});
