/** Client-side fetch of the console's API: JSON in, JSON out; errors carry the server's field messages. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  /** RocketMQ's response code and remark when a broker refused. */
  readonly responseCode?: number;
  readonly remark?: string;
  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, broker: { responseCode?: number; remark?: string } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.responseCode = broker.responseCode;
    this.remark = broker.remark;
  }
}

export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, 'bad_response', `The console answered ${response.status} with something that is not JSON`);
  }
  if (!response.ok) {
    // A session that ended (expiry, logout elsewhere, removed user): back to sign-in, then here again. Asked
    // again first: a request sent just before a password change carried the cookie that change replaced.
    if (response.status === 401 && typeof window !== 'undefined' && !window.location.pathname.startsWith('/login') && (body as { error?: { code?: string } } | null)?.error?.code === 'unauthenticated') {
      const toLogin = () => window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
      void fetch('/api/auth/session')
        .then((r) => r.json() as Promise<{ user: unknown }>)
        .then((session) => !session.user && toLogin(), toLogin);
    }
    const error = (body as { error?: { code?: string; message?: string; fields?: Record<string, string>; responseCode?: number; remark?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.fields ?? {}, { responseCode: error?.responseCode, remark: error?.remark });
  }
  return body as T;
}

export function formatAge(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function formatNumber(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '–';
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A time for <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The ms of a datetime-local value, or NaN when it is empty or not a time. */
export function fromLocalInput(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN;
}

/** Local calendar day of a time, yyyy-mm-dd. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
