/**
 * The first start's build runs beside a live broker: the build is a child process that does not block this
 * one (the broker keeps answering clients), its lines are printed as they come with a heartbeat while it is
 * silent, and the console port answers at once: a page that says the console is being built, 503 for the API,
 * the favicon. A stand-in for `next build` (a node script printing Next's steps slowly) keeps the test short.
 */
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '../broker-core/client/admin-client';
import { startTestCluster, type TestCluster } from '../broker-core/testing/start-test-cluster';
import { waitFor } from '../broker-core/testing/wait-for';
import { placeholderHandler, runConsoleBuild } from './console-build';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

/** A fake `next build`: Next's first line, a silent "compile", the later steps, then the exit code. */
const fakeBuild = (exitCode: number) => [
  '-e',
  `const say = (l) => console.log(l);
   say('\\u001b[1m▲ Next.js 16 (Turbopack)\\u001b[22m'); say('  Creating an optimized production build ...');
   setTimeout(() => { say('✓ Compiled successfully in 2.1s'); say('  Generating static pages (19/19)'); }, 1500);
   setTimeout(() => { if (${exitCode}) console.error('Type error: nope'); process.exit(${exitCode}); }, 6000);`,
];

it('answers on the console port and keeps the broker answering while the build runs; prints its progress', async () => {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const build = runConsoleBuild({ command: process.execPath, args: fakeBuild(0), cwd: ROOT, env: process.env, out, heartbeatMs: 500 });
  const server = http.createServer(placeholderHandler(build.progress, ['NameServer on port 9876', 'Broker on port 10911'], ROOT));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  try {
    // The first lines, then a heartbeat during the silent "compile" (colour codes removed).
    await waitFor(() => /build \| ▲ Next\.js 16 \(Turbopack\)\n[\s\S]*build \| still building/.test(printed), { timeoutMs: 10_000, message: () => `no heartbeat after the first lines in:\n${printed}` });
    expect(build.progress.state).toBe('building');

    const page = await fetch(`${base}/topic?x=1`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    const html = await page.text();
    expect(html).toContain('The console is being built');
    expect(html).toContain('Creating an optimized production build');
    expect(html).toContain('Broker on port 10911');
    expect(html).toContain('<meta http-equiv="refresh"');

    const api = await fetch(`${base}/api/status`);
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: { code: 'console_building' } });
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect([...new Uint8Array(await icon.arrayBuffer()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);

    // The build is a child process: this process's broker answers meanwhile.
    expect(Object.keys((await admin.getClusterInfo()).brokerAddrTable)).toEqual(['broker-a']);
    expect(await admin.getBrokerRuntimeInfo(cluster.brokerAddr)).toHaveProperty('putTps');

    await build.finished;
    expect(build.progress.state).toBe('done');
    expect(printed).toContain('  build | ✓ Compiled successfully in 2.1s\n');
  } finally {
    await admin.close();
    server.close();
  }
});

it('rejects with the last lines when the build fails', async () => {
  const out = new PassThrough();
  out.resume();
  const build = runConsoleBuild({ command: process.execPath, args: fakeBuild(1), cwd: ROOT, env: process.env, out });
  await expect(build.finished).rejects.toThrow(/next build exited with 1[\s\S]*Type error: nope/);
  await expect(build.finished).rejects.toHaveProperty('name', 'ConsoleBuildError');
  expect(build.progress.state).toBe('failed');
});
