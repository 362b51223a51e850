/** What the alert routes share: the answer to an AlertError (a field error, 404 or 409) and the page's data. */
import { NextResponse } from 'next/server';
import { defaultCollector } from '../collector';
import { AlertError, alertManager } from './alert-manager';

export function alertErrorResponse(err: unknown): NextResponse {
  if (!(err instanceof AlertError)) throw err;
  const code = err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'invalid_input';
  return NextResponse.json({ error: { code, message: err.message, fields: { [err.field]: err.message } } }, { status: err.status });
}

/** Rules, alerts pending or firing, recent events, and whether the collector (which evaluates them) runs. */
export function alertsOverview(limit: number) {
  const manager = alertManager();
  const collector = defaultCollector();
  const rules = manager.rules();
  const names = new Map(rules.map((r) => [r.id, r]));
  return {
    rules,
    alerts: manager.active().map((a) => {
      const rule = names.get(a.ruleId);
      return { ...a, ruleName: rule?.name ?? '', kind: rule?.kind ?? '', threshold: rule?.threshold ?? null, silencedUntil: rule?.silencedUntil ?? null };
    }),
    events: manager.events(limit),
    collector: { running: !!collector, intervalMs: collector?.intervalMs ?? null, lastSampleAt: collector?.lastSample?.t ?? null, lastError: collector?.lastError ?? null },
  };
}
