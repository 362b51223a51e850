/** JSON answers for the console's API routes: data, field-level validation errors, and cluster faults. */
import { NextResponse } from 'next/server';
import type { ZodError } from 'zod';

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
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

/** A fault reaching the cluster (NameServer down, broker refused): 502 with the protocol's reason. */
export function clusterError(err: unknown): NextResponse<ApiErrorBody> {
  const e = err as { code?: string; message?: string; responseCode?: number; remark?: string };
  const code = e?.code === 'BROKER_ERR_REMOTE' ? 'broker_refused' : e?.code === 'BROKER_ERR_NO_NAMESRV' ? 'namesrv_unreachable' : 'cluster_unreachable';
  return NextResponse.json({ error: { code, message: e?.remark || e?.message || String(err) } }, { status: code === 'broker_refused' ? 422 : 502 });
}

export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  try {
    return { ok: true, value: await request.json() };
  } catch {
    return { ok: false, response: invalid({ _: 'The request body must be JSON' }, 'The request body is not valid JSON') };
  }
}
