/**
 * The gRPC endpoint over TLS (GRPC_TLS_CERT / GRPC_TLS_KEY): a `rocketdeck broker` process with a certificate made
 * for the test (openssl), the real Node.js client with sslEnabled in a child process trusting it
 * (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, grpc-js's root certificates file), a raw TLS client, and a plaintext client that gets nowhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '../client/admin-client';
import { startGrpcProcesses, type GrpcProcesses } from '../testing/grpc-processes';
import { rawMessagingClient } from '../testing/rocketmq-client-nodejs';
import { waitFor } from '../testing/wait-for';

let tmp: string;
let certFile: string;
let processes: GrpcProcesses;
let admin: AdminClient;
const TOPIC = `GrpcTls${process.pid}`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-grpc-tls-'));
  certFile = path.join(tmp, 'cert.pem');
  const keyFile = path.join(tmp, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  processes = await startGrpcProcesses({ brokerName: 'broker-tls', env: { GRPC_TLS_CERT: certFile, GRPC_TLS_KEY: keyFile } });
  admin = new AdminClient({ namesrvAddr: processes.namesrvAddr });
  await admin.createOrUpdateTopic(processes.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  await waitFor(async () => (await admin.getTopicRoute(TOPIC)) !== null, { timeoutMs: 10_000 });
}, 90_000);

afterAll(async () => {
  await admin?.close();
  await processes?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('says TLS in its boot line, answers TLS clients and refuses plaintext ones', async () => {
  expect(processes.broker.output()).toContain(`gRPC ${processes.grpcEndpoint} (TLS)`);
  const tls = rawMessagingClient(processes.grpcEndpoint, `tls-${process.pid}`, grpc.credentials.createSsl(fs.readFileSync(certFile)));
  const plain = rawMessagingClient(processes.grpcEndpoint, `plain-${process.pid}`);
  try {
    expect((await tls.call<{ status: { code: string } }>('QueryRoute', { topic: { name: TOPIC } })).status.code).toBe('OK');
    await expect(plain.call('QueryRoute', { topic: { name: TOPIC } })).rejects.toThrow(/UNAVAILABLE|14/);
  } finally {
    tls.close();
    plain.close();
  }
});

it('the Node.js client with sslEnabled sends through it', () => {
  const script = `
    const { Producer } = require('rocketmq-client-nodejs');
    const logger = { info() {}, warn() {}, error() {}, debug() {} };
    (async () => {
      const producer = new Producer({ endpoints: ${JSON.stringify(processes.grpcEndpoint)}, topic: ${JSON.stringify(TOPIC)}, sslEnabled: true, logger });
      await producer.startup();
      const receipt = await producer.send({ topic: ${JSON.stringify(TOPIC)}, body: Buffer.from('over tls') });
      process.stdout.write('SENT ' + receipt.messageId + '\\n');
      await producer.shutdown();
      process.exit(0);
    })().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
  `;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'), env: { ...process.env, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: certFile }, encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  expect(child.stdout).toMatch(/^SENT [0-9A-F]{34}$/m);
});
