/**
 * The audit recorder around a real HTTP server: every non-GET gets one entry with who (token name, local
 * operator, or the sign-in name), the status and the answer's error code (also through gzip), the route's
 * before/after; reads get none, and read-like POST/DELETE (scans, sparklines, previews, dry runs) only when refused;
 * ids and client addresses cannot be forged by the client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@broker/testing/wait-for';
import { useTempHome } from '../security/testing';
import { createToken } from '../security/tokens';
import type { AuditEntry } from './audit-log';
import { auditDetail, CLIENT_ADDRESS_HEADER, REQUEST_ID_HEADER, withAuditRecorder } from './recorder';

/** A stand-in for Next's handler: routes by path, like the console's route handlers would. */
async function routes(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]));
  const url = new URL(req.url!, 'http://x');
  for await (const _ of req) void _; // drain the body like a route would
  if (url.pathname === '/api/topics') {
    auditDetail({ headers }, { action: 'topic.update', target: 'Orders', before: { perm: 6 }, after: { perm: 4 } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seen: { id: headers.get(REQUEST_ID_HEADER), address: headers.get(CLIENT_ADDRESS_HEADER) } }));
  } else if (url.pathname === '/api/gzip-error') {
    res.writeHead(422, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(JSON.stringify({ error: { code: 'broker_refused', message: 'no' } })));
  } else if (url.pathname === '/api/auth/login') {
    auditDetail({ headers }, { action: 'auth.login', who: 'mallory' });
    res.writeHead(401, { 'content-type': 'application/json' });
    res.write('{"error":{"code":"invalid_');
    res.end('credentials","message":"Wrong user name or password"}}');
  } else if (url.searchParams.has('status')) {
    // What the proxy answers a refused request, or a route a failed one.
    const status = Number(url.searchParams.get('status'));
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : 'invalid_input', message: 'no' } }));
  } else if (url.pathname === '/api/slow') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
    // never ends: the client goes away
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
  }
}

describe('audit recorder', () => {
  useTempHome();
  let server: http.Server;
  let base: string;
  const recorded: AuditEntry[] = [];

  beforeEach(async () => {
    recorded.length = 0;
    process.env.ROCKETDECK_CONSOLE_AUTH = 'off';
    server = http.createServer((req, res) => void withAuditRecorder(routes, (e) => recorded.push(e))(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    delete process.env.ROCKETDECK_CONSOLE_AUTH;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('records a write with the route detail; gives the route an id and address the client cannot forge', async () => {
    const response = await fetch(`${base}/api/topics?x=1`, { method: 'POST', body: '{}', headers: { [REQUEST_ID_HEADER]: 'forged', [CLIENT_ADDRESS_HEADER]: '6.6.6.6', 'user-agent': 'script/1', 'x-forwarded-for': '203.0.113.9' } });
    const body = (await response.json()) as { seen: { id: string; address: string } };
    expect(body.seen.id).not.toBe('forged');
    expect(body.seen.id).toBe(response.headers.get(REQUEST_ID_HEADER));
    expect(body.seen.address).toBe('127.0.0.1');
    await waitFor(() => recorded.length === 1);
    expect(recorded[0]).toMatchObject({
      id: body.seen.id, who: 'local', kind: 'local', role: 'admin', action: 'topic.update', target: 'Orders', method: 'POST', path: '/api/topics?x=1',
      status: 200, result: 'ok', address: '127.0.0.1', forwardedFor: '203.0.113.9', userAgent: 'script/1', before: { perm: 6 }, after: { perm: 4 },
    });
  });

  it('records nothing for reads', async () => {
    await (await fetch(`${base}/api/topics`)).text();
    await (await fetch(`${base}/page`, { method: 'HEAD' })).text();
    await fetch(`${base}/api/topics`, { method: 'DELETE' }).then((r) => r.text());
    await waitFor(() => recorded.length === 1);
    expect(recorded.map((e) => e.method)).toEqual(['DELETE']);
  });

  it('records read-like requests (scans, sparklines, reset previews, import dry runs) only when refused', async () => {
    const send = (method: string, url: string) => fetch(`${base}${url}`, { method, body: method === 'POST' ? '{}' : undefined }).then((r) => r.text());
    await send('POST', '/api/explorer/scans');
    await send('DELETE', '/api/explorer/scans/0b0f8f9e-3c1a-4d5e-9f00-1234567890ab');
    await send('POST', '/api/history/sparklines');
    await send('POST', '/api/consumers/G/reset/preview');
    await send('POST', '/api/config/import/dry-run?status=400'); // bad input to a read: not worth an entry
    await send('POST', '/api/explorer/scans?status=403');
    await send('POST', '/api/history/sparklines?status=401');
    await send('POST', '/api/consumers/G/reset'); // the apply: always recorded
    await send('POST', '/api/config/import');
    await waitFor(() => recorded.length === 4);
    expect(recorded.map((e) => [e.method, e.path, e.status, e.result]).sort()).toEqual([
      ['POST', '/api/config/import', 200, 'ok'],
      ['POST', '/api/consumers/G/reset', 200, 'ok'],
      ['POST', '/api/explorer/scans?status=403', 403, 'forbidden'],
      ['POST', '/api/history/sparklines?status=401', 401, 'unauthenticated'],
    ]);
  });

  it('reads the error code of a failed write, gzipped or written in pieces; names the token or the sign-in name', async () => {
    const { secret } = createToken({ name: 'deploy-bot', role: 'admin', expiresInDays: 0 }, 'ann');
    await fetch(`${base}/api/gzip-error`, { method: 'PUT', headers: { authorization: `Bearer ${secret}` } }).then((r) => r.arrayBuffer());
    await fetch(`${base}/api/auth/login`, { method: 'POST', body: '{}' }).then((r) => r.text());
    await fetch(`${base}/api/other`, { method: 'PATCH', headers: { authorization: 'Bearer rdk_unknown' } }).then((r) => r.text());
    await waitFor(() => recorded.length === 3);
    expect(recorded.map((e) => [e.who, e.kind, e.action, e.status, e.result])).toEqual([
      ['deploy-bot', 'token', 'PUT /api/gzip-error', 422, 'broker_refused'],
      ['local', 'local', 'auth.login', 401, 'invalid_credentials'],
      ['anonymous', 'anonymous', 'PATCH /api/other', 200, 'ok'],
    ]);
    expect(recorded[2]!.detail).toEqual({ credentials: 'invalid_token' });
  });

  it('records a write whose client went away before the answer ended', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/slow`, { method: 'POST', signal: controller.signal });
    expect(response.status).toBe(200);
    controller.abort();
    await waitFor(() => recorded.length === 1);
    expect(recorded[0]).toMatchObject({ result: 'client_closed', target: 'slow' });
  });
});
