/**
 * RocketMQ closes a server channel idle (no read, no write) for serverChannelMaxIdleTimeSeconds (120 s). Here
 * with 300 ms: a silent connection is closed by the server and the close is logged; a connection that keeps
 * talking stays open well past the limit; the client reconnects on its next request.
 */
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createRequest, createResponse } from '../protocol/remoting-command';
import { ResponseCode } from '../protocol/response-code';
import { createMemoryLogger } from '../util/logger';
import { waitFor } from '../testing/wait-for';
import { RemotingClient } from './remoting-client';
import { RemotingServer } from './remoting-server';

const ECHO = 9001;
const IDLE_MS = 300;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(channelMaxIdleMs = IDLE_MS) {
  const logger = createMemoryLogger();
  const remoting = new RemotingServer({ name: 'idle-test', host: '127.0.0.1', logger, channelMaxIdleMs });
  remoting.registerProcessor(ECHO, (request) => createResponse(request, ResponseCode.SUCCESS));
  const port = await remoting.listen(0, '127.0.0.1');
  cleanups.push(() => remoting.close());
  return { remoting, port, logger };
}

it('closes a connection that stays silent past the idle limit, and logs it', async () => {
  const { remoting, port, logger } = await server();
  const socket = net.connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await waitFor(() => remoting.connections().length === 1);
  await closed;
  await waitFor(() => remoting.connections().length === 0);
  expect(logger.lines.some((line) => line.includes('closing an idle connection'))).toBe(true);
});

it('keeps a talking connection open past the limit, and a client reconnects after an idle close', async () => {
  // A longer limit here, so that a stalled event loop on a busy machine cannot pass for idleness.
  const talkingIdleMs = 1_500;
  const { remoting, port } = await server(talkingIdleMs);
  const client = new RemotingClient();
  cleanups.push(() => client.close());
  const addr = `127.0.0.1:${port}`;
  const first = await client.connection(addr);
  const started = Date.now();
  // A request every 100 ms for 3 idle periods: the connection is never idle long enough.
  while (Date.now() - started < talkingIdleMs * 3) {
    expect((await client.invoke(addr, createRequest(ECHO), 2_000)).code).toBe(ResponseCode.SUCCESS);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(first.closed).toBe(false);
  expect(remoting.connections().length).toBe(1);
  await waitFor(() => first.closed, { timeoutMs: 10_000 });
  expect((await client.invoke(addr, createRequest(ECHO), 2_000)).code).toBe(ResponseCode.SUCCESS);
});

it('0 turns the limit off', async () => {
  const remoting = new RemotingServer({ name: 'no-idle', host: '127.0.0.1', channelMaxIdleMs: 0 });
  const port = await remoting.listen(0, '127.0.0.1');
  cleanups.push(() => remoting.close());
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  cleanups.push(() => void socket.destroy());
  await waitFor(() => remoting.connections().length === 1);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
  expect(remoting.connections().length).toBe(1);
});
