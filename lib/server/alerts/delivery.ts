/**
 * Webhook deliveries of alert events, as generic JSON, Slack (incoming webhook: { text }) or DingTalk (custom
 * robot: { msgtype: "markdown", markdown: { title, text } }). One POST per event, ALERT_WEBHOOK_TIMEOUT_MS at
 * most; the outcome is recorded with the event (never thrown: an unreachable receiver must not stop evaluation).
 */
import { ALERT_WEBHOOK_TIMEOUT_MS } from '@broker/config/limits';
import type { WebhookFormat } from '@/lib/alerts-schema';

export interface AlertEvent {
  id: string;
  /** The alert (rule + subject) this event is about. */
  alertId: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  subject: string;
  state: 'firing' | 'resolved' | 'test';
  value: number | null;
  threshold: number | null;
  message: string;
  at: number;
  delivery?: DeliveryResult;
}

export interface DeliveryResult {
  url: string;
  format: WebhookFormat;
  ok: boolean;
  status?: number;
  error?: string;
  /** Not sent: the rule is silenced, or has no webhook. */
  skipped?: 'silenced' | 'no_webhook';
}

/** The request body for one event in the receiver's format. */
export function webhookPayload(event: AlertEvent, format: WebhookFormat, consoleUrl?: string): unknown {
  const title = `[${event.state.toUpperCase()}] ${event.ruleName}: ${event.subject}`;
  const when = new Date(event.at).toISOString();
  const link = consoleUrl ? `${consoleUrl.replace(/\/$/, '')}/alerts` : '';
  if (format === 'slack') {
    return { text: `${event.state === 'resolved' ? ':white_check_mark:' : ':rotating_light:'} *${title}*\n${event.message}\n_${when}_${link ? ` · <${link}|Rocketdeck alerts>` : ''}` };
  }
  if (format === 'dingtalk') {
    return { msgtype: 'markdown', markdown: { title, text: `### ${title}\n\n${event.message}\n\n> ${when}${link ? `\n\n[Rocketdeck alerts](${link})` : ''}` } };
  }
  return {
    source: 'rocketdeck',
    state: event.state,
    alert: { id: event.alertId, rule: { id: event.ruleId, name: event.ruleName, kind: event.kind }, subject: event.subject, value: event.value, threshold: event.threshold },
    message: event.message,
    at: when,
    ...(link ? { url: link } : {}),
  };
}

export async function deliver(event: AlertEvent, url: string, format: WebhookFormat, consoleUrl?: string): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'rocketdeck-alerts' },
      body: JSON.stringify(webhookPayload(event, format, consoleUrl)),
      signal: AbortSignal.timeout(ALERT_WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
    await response.arrayBuffer().catch(() => undefined);
    return { url, format, ok: response.ok, status: response.status, ...(response.ok ? {} : { error: `the receiver answered ${response.status}` }) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${ALERT_WEBHOOK_TIMEOUT_MS} ms` : cause?.code ?? cause?.message ?? (err as Error).message;
    return { url, format, ok: false, error: reason };
  }
}
