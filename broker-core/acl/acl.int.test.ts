/**
 * The broker ACL over real TCP with real files: ali-ons (which signs with accessKeyId/accessKeySecret) and
 * Rocketdeck's own clients against a broker with aclEnable, its plain_acl.yml edited while it runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerController } from '../broker/broker-controller';
import { runAdminCli } from '../cli/admin-cli';
import { AdminClient } from '../client/admin-client';
import { Producer } from '../client/producer';
import { PullConsumer } from '../client/pull-consumer';
import { PushConsumer } from '../client/push-consumer';
import type { SessionCredentials } from './acl-signer';
import { ResponseCode } from '../protocol/response-code';
import { ons, quietOnsLogger, type OnsClient } from '../testing/ali-ons';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { waitFor } from '../testing/wait-for';
import { createMemoryLogger } from '../util/logger';
import { RemoteError } from '../util/errors';

const ADMIN: SessionCredentials = { accessKey: 'rocketdeck_admin', secretKey: 'admin_secret_1' };
const APP: SessionCredentials = { accessKey: 'app_pubsub', secretKey: 'app_secret_1' };
const WRONG: SessionCredentials = { accessKey: 'app_pubsub', secretKey: 'not_the_secret' };

function aclYaml(options: { global?: string[]; appWhite?: string; orderPerm?: string } = {}): string {
  return `# test ACL
globalWhiteRemoteAddresses:
${(options.global ?? []).map((p) => `  - ${p}\n`).join('') || '  []\n'}
accounts:
  - accessKey: ${ADMIN.accessKey}
    secretKey: ${ADMIN.secretKey}
    admin: true
  - accessKey: ${APP.accessKey}
    secretKey: ${APP.secretKey}
    whiteRemoteAddress: ${options.appWhite ?? ''}
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: DENY
    topicPerms:
      - OrderTopic=${options.orderPerm ?? 'PUB|SUB'}
      - DenyTopic=DENY
    groupPerms:
      - CID_acl_ons=SUB
      - CID_acl_rd=SUB
`.replace('globalWhiteRemoteAddresses:\n  []\n', 'globalWhiteRemoteAddresses: []\n');
}

const logger = createMemoryLogger();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-acl-'));
const aclFile = path.join(dir, 'conf', 'plain_acl.yml');
let cluster: TestCluster;
let admin: AdminClient;
const closers: (() => Promise<unknown>)[] = [];
let instance = 0;

function writeAcl(text: string): void {
  fs.mkdirSync(path.dirname(aclFile), { recursive: true });
  fs.writeFileSync(aclFile, text);
}

function adminAs(credentials?: SessionCredentials): AdminClient {
  const client = new AdminClient({ namesrvAddr: cluster.namesrvAddr, credentials });
  closers.push(() => client.close());
  return client;
}

/** The NO_PERMISSION answer a call failed with (a producer's "still failed" error carries it as its cause). */
async function refusal(promise: Promise<unknown>): Promise<RemoteError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  const remote = err instanceof RemoteError ? err : (err as { cause?: unknown } | null)?.cause;
  expect(remote, String(err)).toBeInstanceOf(RemoteError);
  expect((remote as RemoteError).responseCode).toBe(ResponseCode.NO_PERMISSION);
  return remote as RemoteError;
}

function onsOptions(credentials: SessionCredentials | null, extra: Record<string, unknown>): Record<string, unknown> {
  instance++;
  const keys = credentials ? { accessKeyId: credentials.accessKey, accessKeySecret: credentials.secretKey } : {};
  return { nameSrv: cluster.namesrvAddr, httpclient: {}, logger: quietOnsLogger, instanceName: `acl-${process.pid}-${instance}`, clientIP: '127.0.0.1', ...keys, ...extra };
}

async function onsProducer(credentials: SessionCredentials | null) {
  const producer = new ons.Producer(onsOptions(credentials, { producerGroup: `PID_acl_${instance}`, retryTimesWhenSendFailed: 0 }));
  producer.on('error', () => {});
  closers.push(() => producer.close());
  await producer.ready();
  return producer;
}

function refusedLines(reason: string): string[] {
  return logger.lines.filter((line) => line.includes('request refused by the ACL') && line.includes(reason));
}

beforeAll(async () => {
  writeAcl(aclYaml());
  cluster = await startTestCluster({ logger, broker: { aclEnable: true, aclFile, aclFileWatchIntervalMs: 50 } });
  admin = adminAs(ADMIN);
  for (const topic of ['OrderTopic', 'DenyTopic', 'OtherTopic']) {
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  }
}, 30_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** Puts a new ACL file in place and waits until the broker has applied it (its log says so). */
async function replaceAcl(text: string): Promise<void> {
  const before = logger.lines.filter((l) => l.includes('ACL reloaded')).length;
  const tmp = `${aclFile}.new`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, aclFile);
  await waitFor(() => logger.lines.filter((l) => l.includes('ACL reloaded')).length > before, { message: 'the broker reloaded plain_acl.yml' });
}

describe('broker ACL with ali-ons', () => {
  it('sends and consumes with a PUB|SUB account', async () => {
    const producer = await onsProducer(APP);
    for (let i = 0; i < 5; i++) expect((await producer.send(new ons.Message('OrderTopic', 'TagA', `ons-${i}`))).sendStatus).toBe('SEND_OK');
    const got = new Set<string>();
    const consumer = new ons.Consumer(onsOptions(APP, { consumerGroup: 'CID_acl_ons', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }));
    consumer.on('error', () => {});
    closers.push(() => consumer.close());
    consumer.subscribe('OrderTopic', '*', async (msg) => void got.add(msg.body.toString()));
    await waitFor(() => got.size === 5, { timeoutMs: 30_000, message: 'ali-ons consumed the 5 messages' });
    // its offsets were committed under the ACL too (UPDATE_CONSUMER_OFFSET needs SUB on group and topic)
    await waitFor(() => [...cluster.broker.consumerOffsetManager.queryOffsets('CID_acl_ons', 'OrderTopic').values()].reduce((a, b) => a + b, 0) === 5, { timeoutMs: 20_000 });
  }, 60_000);

  it('is refused with a wrong secret, and on a DENY topic', async () => {
    const wrong = await onsProducer(WRONG);
    await expect(wrong.send(new ons.Message('OrderTopic', 'TagA', 'x'))).rejects.toThrow(/still failed/);
    expect(refusedLines('Check signature failed for accessKey=app_pubsub').some((l) => l.includes('SEND_MESSAGE_V2'))).toBe(true);

    const right = await onsProducer(APP);
    await expect(right.send(new ons.Message('DenyTopic', 'TagA', 'x'))).rejects.toThrow(/still failed/);
    expect(refusedLines('No permission for topic:DenyTopic').length).toBeGreaterThan(0);
    const unsigned = await onsProducer(null);
    await expect(unsigned.send(new ons.Message('OrderTopic', 'TagA', 'x'))).rejects.toThrow(/still failed/);
    expect(refusedLines('No accessKey is configured').length).toBeGreaterThan(0);
  }, 30_000);
});

describe('broker ACL with Rocketdeck clients', () => {
  it('sends, consumes and pulls with credentials; a wrong secret, a DENY topic and an unlisted group get NO_PERMISSION with the reason', async () => {
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_acl_rd', credentials: APP, retryTimesWhenSendFailed: 0 });
    await producer.start();
    closers.push(() => producer.shutdown());
    for (let i = 0; i < 4; i++) expect((await producer.send({ topic: 'OrderTopic', body: `rd-${i}` })).sendStatus).toBe('SEND_OK');
    const denied = await refusal(producer.send({ topic: 'DenyTopic', body: 'no' }));
    expect(denied.remark).toBe('AclException: No permission for topic:DenyTopic');
    const unlisted = await refusal(producer.send({ topic: 'OtherTopic', body: 'no' }));
    expect(unlisted.remark).toBe('AclException: No default permission for topic:OtherTopic');

    const got = new Set<string>();
    const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CID_acl_rd', credentials: APP, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe('OrderTopic', '*');
    consumer.registerMessageListener(async (messages) => {
      for (const m of messages) got.add(m.body.toString());
    });
    await consumer.start();
    closers.push(() => consumer.shutdown());
    await waitFor(() => ['rd-0', 'rd-1', 'rd-2', 'rd-3'].every((b) => got.has(b)), { timeoutMs: 30_000, message: 'the Rocketdeck consumer got the 4 messages' });

    // a PullConsumer of an allowed group reads them; one of a group the account may not use is refused
    const puller = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CID_acl_rd', credentials: APP });
    await puller.start();
    closers.push(() => puller.shutdown());
    const queues = await puller.fetchSubscribeMessageQueues('OrderTopic');
    let pulled = 0;
    for (const mq of queues) pulled += (await puller.pull(mq, '*', 0)).msgFoundList.length;
    expect(pulled).toBeGreaterThanOrEqual(4);
    const stranger = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CID_not_listed', credentials: APP });
    await stranger.start();
    closers.push(() => stranger.shutdown());
    expect((await refusal(stranger.pull(queues[0]!, '*', 0))).remark).toBe('AclException: No default permission for group:CID_not_listed');

    const wrong = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_acl_wrong', credentials: WRONG, retryTimesWhenSendFailed: 0 });
    await wrong.start();
    closers.push(() => wrong.shutdown());
    expect((await refusal(wrong.send({ topic: 'OrderTopic', body: 'no' }))).remark).toBe('AclException: Check signature failed for accessKey=app_pubsub');
  }, 60_000);

  it('keeps admin-only operations to admin accounts and refuses unsigned requests', async () => {
    const app = adminAs(APP);
    const err = await refusal(app.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'Sneaky', readQueueNums: 1, writeQueueNums: 1, perm: 6 }));
    expect(err.remark).toBe('AclException: Need admin permission for request code=17, but accessKey=app_pubsub is not');
    await refusal(app.updateAclConfig(cluster.brokerAddr, { accessKey: 'app_pubsub', secretKey: 'app_secret_1', admin: true }));
    // a signed read of the broker is fine for any account; unsigned, it is not
    expect((await app.getBrokerRuntimeInfo(cluster.brokerAddr)).brokerVersionDesc).toBeTruthy();
    expect((await refusal(adminAs().getBrokerRuntimeInfo(cluster.brokerAddr))).remark).toBe('AclException: No accessKey is configured');
    // the NameServer does not check (as in RocketMQ 4.9): routes still resolve unsigned
    expect(await adminAs().getTopicRoute('OrderTopic')).not.toBeNull();
  });
});

describe('plain_acl.yml while the broker runs', () => {
  it('applies a changed file without a restart, keeps the previous ACL when the file is broken, and logs why', async () => {
    const app = adminAs(APP);
    const probe = () => app.getConsumerIdList(cluster.brokerAddr, 'CID_acl_rd');
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_acl_reload', credentials: APP, retryTimesWhenSendFailed: 0 });
    await producer.start();
    closers.push(() => producer.shutdown());
    expect((await producer.send({ topic: 'OrderTopic', body: 'before' })).sendStatus).toBe('SEND_OK');

    await replaceAcl(aclYaml({ orderPerm: 'SUB' }));
    expect((await refusal(producer.send({ topic: 'OrderTopic', body: 'after' }))).remark).toBe('AclException: No permission for topic:OrderTopic');
    expect(await probe()).toBeInstanceOf(Array);

    fs.writeFileSync(aclFile, 'accounts:\n  - accessKey: [unclosed\n');
    await waitFor(() => logger.lines.some((l) => l.includes('the changed ACL file is not valid: keeping the previous ACL') && l.includes('not valid YAML')));
    // still the last good ACL: SUB on OrderTopic, no PUB
    expect((await refusal(producer.send({ topic: 'OrderTopic', body: 'broken' }))).remark).toContain('No permission for topic:OrderTopic');
    expect(await probe()).toBeInstanceOf(Array);

    await replaceAcl(aclYaml());
    expect((await producer.send({ topic: 'OrderTopic', body: 'fixed' })).sendStatus).toBe('SEND_OK');
  }, 30_000);

  it('lets globally white-listed addresses in unsigned, and not when the pattern excludes 127.0.0.1', async () => {
    const unsigned = adminAs();
    await replaceAcl(aclYaml({ global: ['10.*.*.*', '192.168.0.*'] }));
    await refusal(unsigned.getBrokerRuntimeInfo(cluster.brokerAddr));
    await replaceAcl(aclYaml({ global: ['127.0.0.1'] }));
    expect((await unsigned.getBrokerRuntimeInfo(cluster.brokerAddr)).brokerVersionDesc).toBeTruthy();
    await replaceAcl(aclYaml({ global: ['127.0.0.*'] }));
    await unsigned.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'FromWhiteAddress', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await replaceAcl(aclYaml());
    await refusal(unsigned.getBrokerRuntimeInfo(cluster.brokerAddr));
  }, 30_000);

  it("skips an account's checks from its whiteRemoteAddress only", async () => {
    const wrong = adminAs(WRONG);
    await replaceAcl(aclYaml({ appWhite: '192.168.1.*' }));
    expect((await refusal(wrong.getBrokerRuntimeInfo(cluster.brokerAddr))).remark).toContain('Check signature failed');
    await replaceAcl(aclYaml({ appWhite: '127.0.0.1' }));
    expect((await wrong.getBrokerRuntimeInfo(cluster.brokerAddr)).brokerVersionDesc).toBeTruthy();
    await replaceAcl(aclYaml());
  }, 30_000);

  it('takes mqadmin-style ACL changes (codes 50-54), writes them to the file, and applies them at once', async () => {
    const before = await admin.getBrokerAclVersion(cluster.brokerAddr);
    expect(before).toMatchObject({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: cluster.brokerAddr });
    expect(Object.keys(before.allAclFileVersion)).toEqual([aclFile]);

    await admin.updateAclConfig(cluster.brokerAddr, { accessKey: 'created_by_admin', secretKey: 'created_secret', defaultTopicPerm: 'PUB', topicPerms: ['DenyTopic=DENY'], groupPerms: ['CID_new=SUB'] });
    const text = fs.readFileSync(aclFile, 'utf8');
    expect(text).toContain('# test ACL');
    expect(text).toMatch(/accessKey: created_by_admin\n\s+secretKey: created_secret/);
    const after = await admin.getBrokerAclVersion(cluster.brokerAddr);
    expect(after.version.counter).toBe(before.version.counter + 1);

    const created = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_acl_created', credentials: { accessKey: 'created_by_admin', secretKey: 'created_secret' }, retryTimesWhenSendFailed: 0 });
    await created.start();
    closers.push(() => created.shutdown());
    expect((await created.send({ topic: 'OtherTopic', body: 'new account' })).sendStatus).toBe('SEND_OK');
    await refusal(created.send({ topic: 'DenyTopic', body: 'no' }));

    const listed = await admin.getBrokerAclConfig(cluster.brokerAddr);
    expect(listed.plainAccessConfigs.find((c) => c.accessKey === 'created_by_admin')).toMatchObject({ defaultTopicPerm: 'PUB', topicPerms: ['DenyTopic=DENY'], groupPerms: ['CID_new=SUB'], admin: false });

    const bad = await admin.updateAclConfig(cluster.brokerAddr, { accessKey: 'created_by_admin', topicPerms: ['OtherTopic=WRITE'] }).catch((e: RemoteError) => e);
    expect(bad).toMatchObject({ responseCode: ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED, remark: expect.stringContaining('"WRITE" is not a permission') });

    await admin.updateGlobalWhiteAddrs(cluster.brokerAddr, ['10.10.103.*']);
    expect(fs.readFileSync(aclFile, 'utf8')).toMatch(/globalWhiteRemoteAddresses:\n\s+- 10\.10\.103\.\*/);

    await admin.deleteAclConfig(cluster.brokerAddr, 'created_by_admin');
    expect((await refusal(created.send({ topic: 'OtherTopic', body: 'gone' }))).remark).toBe('AclException: No acl config for created_by_admin');
    expect(fs.readFileSync(aclFile, 'utf8')).not.toContain('created_by_admin');
    const missing = await admin.deleteAclConfig(cluster.brokerAddr, 'created_by_admin').catch((e: RemoteError) => e);
    expect(missing).toMatchObject({ responseCode: ResponseCode.DELETE_ACL_CONFIG_FAILED });
    await replaceAcl(aclYaml());
  }, 30_000);

  it('offers the same through `rocketdeck admin` with --accessKey/--secretKey or the environment', async () => {
    const run = async (args: string[], env: Record<string, string> = {}) => {
      let stdout = '';
      let stderr = '';
      const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) }, env: { NAMESRV_ADDR: cluster.namesrvAddr, ...env } };
      const code = await runAdminCli(args, io as never);
      return { code, stdout, stderr };
    };
    const update = await run(['updateAclConfig', '-c', 'DefaultCluster', '-a', 'cli_account', '-s', 'cli_secret1', '-t', 'OrderTopic=SUB', '--accessKey', ADMIN.accessKey, '--secretKey', ADMIN.secretKey]);
    expect(update.stderr).toBe('');
    expect(update.stdout).toContain(`create or update plain access config to ${cluster.brokerAddr} success.`);
    const version = await run(['clusterAclConfigVersion', '-c', 'DefaultCluster'], { ROCKETDECK_ACCESS_KEY: ADMIN.accessKey, ROCKETDECK_SECRET_KEY: ADMIN.secretKey });
    expect(version.stdout).toMatch(new RegExp(`DefaultCluster\\s+broker-a\\s+${cluster.brokerAddr.replace(/\./g, '\\.')}\\s+${aclFile.replace(/[.\\/]/g, '\\$&')}\\s+\\d+`));
    const unsigned = await run(['deleteAclConfig', '-b', cluster.brokerAddr, '-a', 'cli_account']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('NO_PERMISSION (16): AclException: No accessKey is configured');
    const half = await run(['clusterAclConfigVersion', '-c', 'DefaultCluster', '--accessKey', 'only_half']);
    expect(half.stderr).toContain('ACL credentials need both --accessKey and --secretKey');
    expect((await run(['deleteAclConfig', '-b', cluster.brokerAddr, '-a', 'cli_account', '--accessKey', ADMIN.accessKey, '--secretKey', ADMIN.secretKey])).code).toBe(0);
    await replaceAcl(aclYaml());
  }, 30_000);

  it('logs refusals at a bounded rate, counting the rest in one line', async () => {
    const stranger = adminAs({ accessKey: 'stranger_ak', secretKey: 'stranger_sk' });
    const refusedBefore = cluster.broker.acl!.refusedTotal;
    for (let i = 0; i < 40; i++) await refusal(stranger.getBrokerRuntimeInfo(cluster.brokerAddr));
    expect(cluster.broker.acl!.refusedTotal - refusedBefore).toBe(40);
    expect(refusedLines('No acl config for stranger_ak').length).toBeLessThan(40);
    await waitFor(() => logger.lines.some((l) => /\d+ more requests refused by the ACL \(not logged one by one; at most 10 per 10 s\)/.test(l)), { timeoutMs: 15_000, message: 'the refusals not logged one by one were counted' });
  }, 30_000);
});

describe('ACL off (the default)', () => {
  it('serves unsigned and signed clients alike, and refuses ACL changes with a remark saying why', async () => {
    const plain = await startTestCluster({ logger: createMemoryLogger() });
    const unsigned = new AdminClient({ namesrvAddr: plain.namesrvAddr });
    const signed = new AdminClient({ namesrvAddr: plain.namesrvAddr, credentials: WRONG });
    try {
      expect(plain.broker.acl).toBeNull();
      expect((await unsigned.getBrokerRuntimeInfo(plain.brokerAddr)).brokerVersionDesc).toBeTruthy();
      expect((await signed.getBrokerRuntimeInfo(plain.brokerAddr)).brokerVersionDesc).toBeTruthy();
      const err = await unsigned.updateAclConfig(plain.brokerAddr, { accessKey: 'someone_new', secretKey: 'some_secret' }).catch((e: RemoteError) => e);
      expect(err).toMatchObject({ responseCode: ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED, remark: expect.stringContaining('ACL is not enabled on this broker') });
    } finally {
      await unsigned.close();
      await signed.close();
      await plain.stop();
    }
  });
});

describe('plain_acl.yml at start', () => {
  it('stops a broker start on a bad file with the file, line and problem, and creates a missing one', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-acl-start-'));
    try {
      const file = path.join(home, 'conf', 'plain_acl.yml');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'accounts:\n  - accessKey: good_access_key\n    secretKey: short\n');
      const start = (aclFile: string) => {
        const broker = new BrokerController({ storePathRootDir: path.join(home, 'store'), listenPort: 0, fastListenPort: null, brokerIP1: '127.0.0.1', aclEnable: true, aclFile }, { logger: createMemoryLogger() });
        return { broker, started: broker.start() };
      };
      await expect(start(file).started).rejects.toThrow(`${file} line 3: accounts entry 1 secretKey must be longer than 6 characters`);

      const missing = path.join(home, 'conf', 'other', 'plain_acl.yml');
      const { broker, started } = start(missing);
      await started;
      try {
        expect(fs.readFileSync(missing, 'utf8')).toContain('accounts: []');
        expect(broker.acl!.manager.acl.accounts.size).toBe(0);
      } finally {
        await broker.shutdown();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
