/**
 * Incomplete frames of all connections share one bound (SERVER_PARTIAL_FRAME_BYTES_MAX, here 1 MiB): slow
 * senders of large frames are closed once together they would pass it, the budget is given back when their
 * connections close, and a client sending whole frames keeps working.
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
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Announces a frame of `frameBytes` and sends only `sentBytes` of it; resolves with whether the server closed the socket. */
function partialSender(port: number, frameBytes: number, sentBytes: number): { socket: net.Socket; closed: Promise<boolean> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = new Promise<boolean>((resolve) => socket.on('close', () => resolve(true)));
  const head = Buffer.alloc(sentBytes, 0x20);
  head.writeInt32BE(frameBytes - 4, 0);
  socket.write(head);
  cleanups.push(() => void socket.destroy());
  return { socket, closed };
}

it('closes the connections that would take incomplete frames past the shared bound, and gives the bytes back', async () => {
  const logger = createMemoryLogger();
  const server = new RemotingServer({ name: 'budget', host: '127.0.0.1', logger, partialFrameBytesMax: 1024 * 1024, channelMaxIdleMs: 0 });
  server.registerProcessor(ECHO, (request) => createResponse(request, ResponseCode.SUCCESS, undefined, undefined, request.body));
  const port = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());

  const first = partialSender(port, 4 * 1024 * 1024, 600 * 1024);
  await waitFor(() => server.partialFrameBytes === 600 * 1024);
  const second = partialSender(port, 4 * 1024 * 1024, 600 * 1024);
  expect(await second.closed).toBe(true);
  expect(logger.lines.some((line) => line.includes('incomplete frames of all connections are over their limit'))).toBe(true);
  expect(first.socket.destroyed).toBe(false);
  await waitFor(() => server.partialFrameBytes === 600 * 1024);

  // Whole frames, even large ones, pass while the first sender still holds its part.
  const client = new RemotingClient();
  cleanups.push(() => client.close());
  const response = await client.invoke(`127.0.0.1:${port}`, createRequest(ECHO, {}, Buffer.alloc(300 * 1024, 1)), 5_000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  expect(response.body?.length).toBe(300 * 1024);

  first.socket.destroy();
  await waitFor(() => server.partialFrameBytes === 0);
});
