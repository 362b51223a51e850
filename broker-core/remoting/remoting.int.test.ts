import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequest, createResponse, encodeFrame, type RemotingCommand } from '../protocol/remoting-command';
import { ResponseCode } from '../protocol/response-code';
import { ConnectionClosedError, RequestTimeoutError } from '../util/errors';
import { createMemoryLogger } from '../util/logger';
import { waitFor } from '../testing/wait-for';
import { RemotingClient } from './remoting-client';
import { RemotingServer, type RemotingConnection } from './remoting-server';

const ECHO = 9001;
const SLOW = 9002;
const THROWS = 9003;
const ONEWAY_SINK = 9004;
const ASK_CLIENT = 9005;
const CLIENT_SIDE = 9100;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const logger = createMemoryLogger();
  const server = new RemotingServer({ name: 'test', host: '127.0.0.1', logger });
  const onewayReceived: RemotingCommand[] = [];
  const serverConnections: RemotingConnection[] = [];
  server.registerProcessor(ECHO, (request, connection) => {
    if (!serverConnections.includes(connection)) serverConnections.push(connection);
    return createResponse(request, ResponseCode.SUCCESS, request.remark, request.extFields, request.body);
  });
  server.registerProcessor(SLOW, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, Number(request.extFields?.delayMs ?? 200)));
    return createResponse(request, ResponseCode.SUCCESS);
  });
  server.registerProcessor(THROWS, () => {
    throw new Error('processor exploded on purpose');
  });
  server.registerProcessor(ONEWAY_SINK, (request) => {
    onewayReceived.push(request);
    return null;
  });
  server.registerProcessor(ASK_CLIENT, async (request, connection) => {
    const answer = await connection.invoke(createRequest(CLIENT_SIDE, { question: request.extFields?.question }), 2000);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { answer: answer.extFields?.answer });
  });
  const port = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  const client = new RemotingClient();
  cleanups.push(() => client.close());
  const addr = `127.0.0.1:${port}`;
  return { server, port, addr, client, logger, onewayReceived, serverConnections };
}

function rawSend(port: number, bytes: Buffer): Promise<{ closed: boolean; received: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = 0;
    socket.on('data', (chunk) => (received += chunk.length));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ closed: true, received }));
    socket.write(bytes);
    setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received });
    }, 2000).unref();
  });
}

describe('remoting over TCP', () => {
  it('matches many concurrent responses to their requests by opaque', async () => {
    const { client, addr } = await setup();
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => client.invoke(addr, createRequest(ECHO, { i }, Buffer.from(`body-${i}`)), 5000)),
    );
    answers.forEach((answer, i) => {
      expect(answer.code).toBe(ResponseCode.SUCCESS);
      expect(answer.extFields?.i).toBe(String(i));
      expect(answer.body?.toString()).toBe(`body-${i}`);
    });
  });

  it('delivers oneway requests without an answer', async () => {
    const { client, addr, onewayReceived } = await setup();
    await client.invokeOneway(addr, createRequest(ONEWAY_SINK, { n: 1 }));
    await client.invokeOneway(addr, createRequest(ONEWAY_SINK, { n: 2 }));
    await waitFor(() => onewayReceived.length === 2);
    expect(onewayReceived.map((r) => r.extFields?.n)).toEqual(['1', '2']);
  });

  it('times a request out on the client and ignores the late answer', async () => {
    const { client, addr } = await setup();
    await expect(client.invoke(addr, createRequest(SLOW, { delayMs: 300 }), 50)).rejects.toBeInstanceOf(RequestTimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await client.invoke(addr, createRequest(ECHO), 1000)).code).toBe(ResponseCode.SUCCESS);
  });

  it('answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and a throwing processor with SYSTEM_ERROR, keeping the connection', async () => {
    const { client, addr, serverConnections } = await setup();
    await client.invoke(addr, createRequest(ECHO), 1000);
    const unknown = await client.invoke(addr, createRequest(4242), 1000);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    const failed = await client.invoke(addr, createRequest(THROWS), 1000);
    expect(failed.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(failed.remark).toContain('exploded on purpose');
    await client.invoke(addr, createRequest(ECHO), 1000);
    expect(serverConnections).toHaveLength(1);
    expect(serverConnections[0]!.closed).toBe(false);
  });

  it('lets the server send a request to the client on the same connection', async () => {
    const { client, addr } = await setup();
    client.registerProcessor(CLIENT_SIDE, (request) => createResponse(request, ResponseCode.SUCCESS, undefined, { answer: `${request.extFields?.question}!` }));
    const response = await client.invoke(addr, createRequest(ASK_CLIENT, { question: 'ping' }), 3000);
    expect(response.extFields?.answer).toBe('ping!');
  });

  it('closes only the connection that sent a corrupt frame and logs it', async () => {
    const { client, addr, port, logger } = await setup();
    await client.invoke(addr, createRequest(ECHO), 1000);
    const oversize = await rawSend(port, Buffer.from([0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0]));
    expect(oversize.closed).toBe(true);
    const badHeader = await rawSend(port, Buffer.from([0, 0, 0, 8, 0, 0, 0, 100, 1, 2, 3, 4]));
    expect(badHeader.closed).toBe(true);
    expect(badHeader.received).toBe(0);
    expect((await client.invoke(addr, createRequest(ECHO, { still: 'ok' }), 1000)).extFields?.still).toBe('ok');
    expect(logger.lines.some((line) => line.includes('corrupt frame'))).toBe(true);
  });

  it('fails waiting requests with ConnectionClosedError when the server goes away, and reconnects afterwards', async () => {
    const { client, addr, server } = await setup();
    const pending = client.invoke(addr, createRequest(SLOW, { delayMs: 5000 }), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const connection of server.connections()) connection.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect((await client.invoke(addr, createRequest(ECHO), 1000)).code).toBe(ResponseCode.SUCCESS);
  });

  it('bounds requests in flight per connection', async () => {
    const { addr } = await setup();
    const client = new RemotingClient({ inflightRequestsMax: 3 });
    cleanups.push(() => client.close());
    const slow = Array.from({ length: 3 }, () => client.invoke(addr, createRequest(SLOW, { delayMs: 100 }), 2000));
    await expect(client.invoke(addr, createRequest(ECHO), 2000)).rejects.toThrow(/in flight/);
    await Promise.all(slow);
    expect((await client.invoke(addr, createRequest(ECHO), 2000)).code).toBe(ResponseCode.SUCCESS);
  });

  it('keeps serving a reader that does not read (write backpressure) without blocking others', async () => {
    const { port, client, addr } = await setup();
    // A peer that floods requests for large echoes but never reads its socket.
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const big = Buffer.alloc(512 * 1024, 7);
    for (let i = 0; i < 200; i++) socket.write(encodeFrame({ ...createRequest(ECHO, undefined, big), opaque: i }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await client.invoke(addr, createRequest(ECHO, { ok: 1 }), 2000)).extFields?.ok).toBe('1');
  });

  it('rejects a malformed address with a clear error', async () => {
    const client = new RemotingClient();
    cleanups.push(() => client.close());
    await expect(client.invoke('not-an-address', createRequest(ECHO), 100)).rejects.toThrow(/host:port/);
    await expect(client.invoke('127.0.0.1:1', createRequest(ECHO), 500)).rejects.toThrow(/connect/);
  });
});
