/** JSON answers for the console's API routes: data, field-level validation errors, and cluster faults. */
import { NextResponse } from 'next/server';
import type { z, ZodError } from 'zod';

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; responseCode?: number; remark?: string };
}

export function ok<T>(data: T, init?: ResponseInit): NextResponse<T> {
  return NextResponse.json(data, { ...init, headers: { 'cache-control': 'no-store', ...(init?.headers ?? {}) } });
}

export function invalid(fields: Record<string, string>, message = 'Some fields are not valid'): NextResponse<ApiErrorBody> {
  return NextResponse.json({ error: { code: 'invalid_input', message, fields } }, { status: 400 });
}

export function fromZod(error: ZodError): NextResponse<ApiErrorBody> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return invalid(fields);
}

/**
 * A fault reaching the cluster: 422 when a broker refused (with RocketMQ's response code and remark) or the cluster
 * has no writable route for the request (a read-only or unknown topic: the cluster answered, it is not unreachable),
 * 502 when the NameServer or a broker could not be reached or did not answer in time.
 */
export function clusterError(err: unknown): NextResponse<ApiErrorBody> {
  const e = err as { code?: string; message?: string; responseCode?: number; remark?: string };
  if (e?.code === 'BROKER_ERR_REMOTE') {
    return NextResponse.json({ error: { code: 'broker_refused', message: e.message ?? String(err), responseCode: e.responseCode, remark: e.remark } }, { status: 422 });
  }
  if (e?.code === 'BROKER_ERR_INVALID_ARGUMENT') return invalid({ _: e.message ?? String(err) }, e.message);
  if (e?.code === 'BROKER_ERR_NO_ROUTE') {
    return NextResponse.json({ error: { code: 'no_route', message: e.message ?? String(err) } }, { status: 422 });
  }
  const code = e?.code === 'BROKER_ERR_NO_NAMESRV' ? 'namesrv_unreachable' : e?.code === 'BROKER_ERR_REQUEST_TIMEOUT' ? 'cluster_timeout' : 'cluster_unreachable';
  return NextResponse.json({ error: { code, message: e?.message || String(err) } }, { status: 502 });
}

/** Runs a route body; any fault from the cluster becomes clusterError, never an unhandled 500. */
export async function guarded(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return clusterError(err);
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: NextResponse<ApiErrorBody> };

/** Parses a request's JSON body with a schema: the value, or the 400 answer to return. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<Parsed<z.output<S>>> {
  const body = await readJson(request);
  if (!body.ok) return body;
  const parsed = schema.safeParse(body.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, response: fromZod(parsed.error) };
}

/** Parses query parameters with a schema. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): Parsed<z.output<S>> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, response: fromZod(parsed.error) };
}

export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  try {
    return { ok: true, value: await request.json() };
  } catch {
    return { ok: false, response: invalid({ _: 'The request body must be JSON' }, 'The request body is not valid JSON') };
  }
}
