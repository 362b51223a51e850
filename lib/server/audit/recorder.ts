/**
 * Records every write (any method but GET/HEAD/OPTIONS) that reaches the console, whatever route answers it:
 * `npm start` wraps Next's request handler with withAuditRecorder, which gives each request an id, notes who
 * sent it, and when the response has gone out appends one audit entry with the status and the answer's error
 * code. Proxy refusals (401, 403) are recorded the same way.
 *
 * Read-like requests (security/route-rules.ts: explorer scans, sparklines, the reset preview, the import dry
 * run) change nothing, so they are recorded only when refused with 401 or 403 (someone tried without the
 * right): an Explorer tab starting scans or a list page asking for sparklines does not flood the log.
 *
 * A route adds what only it knows, in one call: auditDetail(request, { action, target, before, after }).
 * The detail travels through a process-wide map keyed by the request id (routes are bundled separately from
 * this module, so a module variable would not be shared).
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import zlib from 'node:zlib';
import { resolveIdentity, type Identity } from '../security/identity';
import { isReadLikeWrite } from '../security/route-rules';
import { AUDIT_PENDING_DETAILS_MAX, AUDIT_RESPONSE_CAPTURE_BYTES_MAX } from '../security/limits';
import { appendAudit, type AuditEntry } from './audit-log';

export const REQUEST_ID_HEADER = 'x-rocketdeck-request-id';
/** The TCP peer's address, set by the recorder (any value a client sends is replaced). */
export const CLIENT_ADDRESS_HEADER = 'x-rocketdeck-client-address';

export interface AuditDetail {
  /** A name for what was done, e.g. "topic.update"; default "<METHOD> <path>". */
  action?: string;
  /** What it was done to, e.g. the topic name; default the path after /api/. */
  target?: string;
  before?: unknown;
  after?: unknown;
  detail?: unknown;
  /** Only for sign-in: the user name tried, since the request itself carries no identity yet. */
  who?: string;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function pending(): Map<string, AuditDetail> {
  const holder = globalThis as unknown as { __rocketdeckAuditPending?: Map<string, AuditDetail> };
  return (holder.__rocketdeckAuditPending ??= new Map());
}

/** Adds a route's own facts (action, target, before/after) to the audit entry of the request being handled. */
export function auditDetail(request: { headers: Headers }, detail: AuditDetail): void {
  const id = request.headers.get(REQUEST_ID_HEADER);
  const map = pending();
  if (!id || !map.has(id)) return; // a read, or a console started without the recorder
  map.set(id, { ...map.get(id), ...detail });
}

/** The error code of a JSON error answer ({ error: { code } }), decompressing it when Next compressed it. */
export function errorCodeOf(body: Buffer, contentEncoding: string | undefined): string | null {
  try {
    const encoding = (contentEncoding ?? '').toLowerCase();
    const raw = encoding === 'gzip' ? zlib.gunzipSync(body) : encoding === 'br' ? zlib.brotliDecompressSync(body) : encoding === 'deflate' ? zlib.inflateSync(body) : body;
    const code = (JSON.parse(raw.toString('utf8')) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' && /^[a-z0-9_]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

function captureBody(res: http.ServerResponse): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || size >= AUDIT_RESPONSE_CAPTURE_BYTES_MAX) return;
    const buffer = Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    const part = buffer.subarray(0, AUDIT_RESPONSE_CAPTURE_BYTES_MAX - size);
    chunks.push(Buffer.from(part));
    size += part.length;
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    return end(chunk, ...rest);
  }) as typeof res.end;
  return () => Buffer.concat(chunks);
}

function defaultTarget(pathname: string): string {
  const rest = pathname.startsWith('/api/') ? pathname.slice(5) : pathname;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** Wraps a request handler so every write it answers is appended to the audit log. */
export function withAuditRecorder(handler: Handler, record: (entry: AuditEntry) => void = appendAudit): Handler {
  return async (req, res) => {
    const id = crypto.randomUUID();
    req.headers[REQUEST_ID_HEADER] = id;
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';
    res.setHeader(REQUEST_ID_HEADER, id);
    const method = (req.method ?? 'GET').toUpperCase();
    if (SAFE.has(method)) return handler(req, res);

    const started = Date.now();
    // Read before Next adds its own X-Forwarded-* headers to the same object.
    const forwardedFor = firstHeader(req.headers['x-forwarded-for']);
    const userAgent = firstHeader(req.headers['user-agent']);
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const readLike = isReadLikeWrite(method, url.pathname);
    let identity: Identity | null = null;
    let identityProblem: string | null = null;
    try {
      const resolved = resolveIdentity({ cookie: firstHeader(req.headers.cookie), authorization: firstHeader(req.headers.authorization) });
      if (resolved.ok) identity = resolved.identity;
      else identityProblem = resolved.code;
    } catch (err) {
      identityProblem = `unreadable: ${(err as Error).message}`;
    }
    const map = pending();
    map.set(id, {});
    while (map.size > AUDIT_PENDING_DETAILS_MAX) map.delete(map.keys().next().value!);
    const body = captureBody(res);

    res.once('close', () => {
      const detail = map.get(id) ?? {};
      map.delete(id);
      try {
        const status = res.statusCode;
        if (readLike && status !== 401 && status !== 403) return;
        const result = !res.writableFinished ? 'client_closed' : status < 400 ? 'ok' : (errorCodeOf(body(), firstHeader(res.getHeader('content-encoding') as string | undefined)) ?? `http_${status}`);
        record({
          time: Date.now(),
          id,
          who: identity?.name ?? detail.who ?? 'anonymous',
          kind: identity?.kind ?? 'anonymous',
          role: identity?.role ?? null,
          action: detail.action ?? `${method} ${url.pathname}`,
          target: (detail.target ?? defaultTarget(url.pathname)).slice(0, 1024),
          method,
          path: (url.pathname + url.search).slice(0, 2048),
          status,
          result,
          address: req.socket.remoteAddress ?? '',
          ...(forwardedFor ? { forwardedFor: forwardedFor.slice(0, 256) } : {}),
          ...(userAgent ? { userAgent: userAgent.slice(0, 256) } : {}),
          durationMs: Date.now() - started,
          ...(detail.before !== undefined ? { before: detail.before } : {}),
          ...(detail.after !== undefined ? { after: detail.after } : {}),
          ...(identityProblem ? { detail: { credentials: identityProblem, ...(detail.detail !== undefined ? { route: detail.detail } : {}) } } : detail.detail !== undefined ? { detail: detail.detail } : {}),
        });
      } catch (err) {
        process.stderr.write(`rocketdeck: could not write the audit entry of ${method} ${url.pathname}: ${(err as Error).message}\n`);
      }
    });
    return handler(req, res);
  };
}
