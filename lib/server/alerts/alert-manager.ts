/**
 * Alert rules, their evaluation after each collector sample, and the alerts' history, all under
 * ROCKETDECK_HOME/console/alerts/:
 *   rules.json    { version: 1, rules: AlertRule[] }                 (written on every change, mode 0600)
 *   state.json    the alerts pending or firing, so a restart neither forgets nor fires them again
 *   events.jsonl  one line per firing / resolved / test event, with its webhook delivery; cut to its newer half
 *                 past ALERT_EVENTS_FILE_BYTES_MAX
 *
 * An alert is one rule on one subject (a group, a broker, a topic): pending while its condition holds for less
 * than `forMinutes`, firing after (one event, delivered), resolved when the condition stops holding (one event,
 * delivered) or the subject is gone. Acknowledging keeps it firing but says someone is on it; a silenced rule's
 * events are recorded without delivery until the silence ends.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AdminClient } from '@broker/client/admin-client';
import { ALERT_ACTIVE_MAX, ALERT_EVENTS_FILE_BYTES_MAX, ALERT_EVENTS_READ_MAX, ALERT_RULES_MAX, ALERT_TPS_BASELINE_SAMPLES } from '@broker/config/limits';
import { ALERT_KIND_INFO, type AlertRule, type AlertRuleInput } from '@/lib/alerts-schema';
import { drainEstimate } from '../history';
import type { HistoryStore } from '../history-store';
import type { CollectedSample } from '../metrics';
import { consoleHome } from '../security/config';
import { readJsonFile, writeJsonFile } from '../security/json-file';
import { deliver, type AlertEvent } from './delivery';

export type { AlertEvent } from './delivery';

export interface ActiveAlert {
  id: string;
  ruleId: string;
  subject: string;
  state: 'pending' | 'firing';
  /** When the condition began to hold. */
  since: number;
  firedAt?: number;
  value: number | null;
  message: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
}

/** What one evaluation sees: the collector's sample and figures it asks the cluster for (only what rules need). */
export interface AlertInputs {
  sample: CollectedSample;
  /** Every broker of the cluster (`name#id`) and the runtime figures of those that answered. */
  brokers: string[];
  runtime: Map<string, Record<string, string>>;
  history: HistoryStore;
  admin: AdminClient;
}

interface Observation {
  subject: string;
  value: number | null;
  breached: boolean;
  message: string;
}

export class AlertError extends Error {
  constructor(readonly status: number, readonly field: string, message: string) {
    super(message);
  }
}

const alertsDir = () => path.join(consoleHome(), 'alerts');
const alertId = (ruleId: string, subject: string) => createHash('sha256').update(`${ruleId}\n${subject}`).digest('hex').slice(0, 16);
const firstNumber = (text: string | undefined) => Number((text ?? '').split(' ')[0]);

export class AlertManager {
  readonly dir: string;
  #active = new Map<string, ActiveAlert>();
  /** Brokers that answered at least once: a broker_offline rule watches these. */
  #seenBrokers = new Set<string>();
  /** In-TPS per topic (and '*') of the last samples, oldest first. */
  #tpsHistory: Map<string, number>[] = [];
  /** DLQ topic → Σ max offsets at the last sample; null before the first read (a DLQ seen later grew from 0). */
  #dlqTotals: Map<string, number> | null = null;
  consoleUrl: string | undefined;

  constructor(dir = alertsDir()) {
    this.dir = dir;
    const saved = readJsonFile<{ active?: ActiveAlert[]; seenBrokers?: string[] }>(this.#file('state.json'), {});
    for (const a of saved.active ?? []) this.#active.set(a.id, a);
    for (const b of saved.seenBrokers ?? []) this.#seenBrokers.add(b);
  }

  #file(name: string): string {
    return path.join(this.dir, name);
  }

  // ------------------------------------------------------------ rules

  rules(): AlertRule[] {
    return readJsonFile<{ rules?: AlertRule[] }>(this.#file('rules.json'), {}).rules ?? [];
  }

  #writeRules(rules: AlertRule[]): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeJsonFile(this.#file('rules.json'), { version: 1, rules });
  }

  createRule(input: AlertRuleInput, now = Date.now()): AlertRule {
    const rules = this.rules();
    if (rules.length >= ALERT_RULES_MAX) throw new AlertError(409, 'name', `At most ${ALERT_RULES_MAX} rules`);
    if (rules.some((r) => r.name === input.name)) throw new AlertError(409, 'name', `A rule named ${input.name} exists already`);
    const rule: AlertRule = { ...input, id: randomBytes(6).toString('hex'), createdAt: now, updatedAt: now };
    this.#writeRules([...rules, rule]);
    return rule;
  }

  updateRule(id: string, input: AlertRuleInput, now = Date.now()): { before: AlertRule; after: AlertRule } {
    const rules = this.rules();
    const before = rules.find((r) => r.id === id);
    if (!before) throw new AlertError(404, 'id', 'No such rule');
    if (rules.some((r) => r.id !== id && r.name === input.name)) throw new AlertError(409, 'name', `A rule named ${input.name} exists already`);
    const after: AlertRule = { ...before, ...input, updatedAt: now };
    this.#writeRules(rules.map((r) => (r.id === id ? after : r)));
    this.#dropAlertsOf(id);
    return { before, after };
  }

  deleteRule(id: string): AlertRule {
    const rules = this.rules();
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new AlertError(404, 'id', 'No such rule');
    this.#writeRules(rules.filter((r) => r.id !== id));
    this.#dropAlertsOf(id);
    return rule;
  }

  silence(id: string, minutes: number, now = Date.now()): AlertRule {
    const rules = this.rules();
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new AlertError(404, 'id', 'No such rule');
    const after: AlertRule = { ...rule, updatedAt: now };
    if (minutes > 0) after.silencedUntil = now + minutes * 60_000;
    else delete after.silencedUntil;
    this.#writeRules(rules.map((r) => (r.id === id ? after : r)));
    return after;
  }

  /** What importRules would do with each rule of a document, by name (the config import's dry run). */
  planRules(inputs: AlertRuleInput[]): { name: string; action: 'create' | 'update' | 'unchanged' }[] {
    const rules = this.rules();
    return inputs.map((input) => {
      const existing = rules.find((r) => r.name === input.name);
      return { name: input.name, action: !existing ? 'create' : sameRule(existing, input) ? 'unchanged' : 'update' };
    });
  }

  /** The rules as a config document holds them (no ids, times or silences). */
  exportRules(): AlertRuleInput[] {
    return this.rules().map(({ id: _id, createdAt: _c, updatedAt: _u, silencedUntil: _s, ...input }) => input);
  }

  /** Rules of an imported document, matched by name: created or replaced (ids and silences of kept names stay). */
  importRules(inputs: AlertRuleInput[], now = Date.now()): { created: string[]; updated: string[]; unchanged: string[] } {
    const rules = this.rules();
    const out = { created: [] as string[], updated: [] as string[], unchanged: [] as string[] };
    for (const input of inputs) {
      const existing = rules.find((r) => r.name === input.name);
      if (!existing) {
        if (rules.length >= ALERT_RULES_MAX) throw new AlertError(409, 'alertRules', `At most ${ALERT_RULES_MAX} rules`);
        rules.push({ ...input, id: randomBytes(6).toString('hex'), createdAt: now, updatedAt: now });
        out.created.push(input.name);
      } else if (sameRule(existing, input)) {
        out.unchanged.push(input.name);
      } else {
        Object.assign(existing, input, { updatedAt: now });
        this.#dropAlertsOf(existing.id);
        out.updated.push(input.name);
      }
    }
    if (out.created.length + out.updated.length > 0) this.#writeRules(rules);
    return out;
  }

  #dropAlertsOf(ruleId: string): void {
    for (const [id, alert] of this.#active) if (alert.ruleId === ruleId) this.#active.delete(id);
    this.#saveState();
  }

  // ------------------------------------------------------------ alerts and history

  active(): ActiveAlert[] {
    return [...this.#active.values()].sort((a, b) => Number(b.state === 'firing') - Number(a.state === 'firing') || a.since - b.since);
  }

  acknowledge(id: string, by: string, now = Date.now()): ActiveAlert {
    const alert = this.#active.get(id);
    if (!alert) throw new AlertError(404, 'id', 'No such alert: it resolved, or its rule changed');
    alert.acknowledgedAt = now;
    alert.acknowledgedBy = by;
    this.#saveState();
    return alert;
  }

  events(limit = ALERT_EVENTS_READ_MAX): AlertEvent[] {
    let text: string;
    try {
      text = fs.readFileSync(this.#file('events.jsonl'), 'utf8');
    } catch {
      return [];
    }
    const out: AlertEvent[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < Math.min(limit, ALERT_EVENTS_READ_MAX); i--) {
      if (!lines[i]) continue;
      try {
        out.push(JSON.parse(lines[i]!) as AlertEvent);
      } catch {
        continue; // a torn last line after a crash
      }
    }
    return out;
  }

  #appendEvent(event: AlertEvent): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file('events.jsonl');
    fs.appendFileSync(file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    if (fs.statSync(file).size > ALERT_EVENTS_FILE_BYTES_MAX) {
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      writeFileAtomic(file, `${lines.slice(Math.floor(lines.length / 2)).join('\n')}\n`);
    }
  }

  #saveState(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeJsonFile(this.#file('state.json'), { active: [...this.#active.values()], seenBrokers: [...this.#seenBrokers] });
  }

  /** Sends one test event to a rule's webhook now (the rule form's "Send a test"). */
  async test(ruleId: string, now = Date.now()): Promise<AlertEvent> {
    const rule = this.rules().find((r) => r.id === ruleId);
    if (!rule) throw new AlertError(404, 'id', 'No such rule');
    if (!rule.webhookUrl) throw new AlertError(400, 'webhookUrl', 'This rule has no webhook');
    const event = this.#event(rule, { subject: rule.target, value: null, breached: false, message: `A test of the rule "${rule.name}" from Rocketdeck` }, 'test', now);
    event.delivery = await deliver(event, rule.webhookUrl, rule.webhookFormat, this.consoleUrl);
    this.#appendEvent(event);
    return event;
  }

  #event(rule: AlertRule, o: Observation, state: AlertEvent['state'], now: number): AlertEvent {
    return { id: randomBytes(8).toString('hex'), alertId: alertId(rule.id, o.subject), ruleId: rule.id, ruleName: rule.name, kind: rule.kind, subject: o.subject, state, value: o.value, threshold: rule.threshold ?? null, message: o.message, at: now };
  }

  // ------------------------------------------------------------ evaluation

  /** Evaluates every enabled rule on one sample; fires, resolves and delivers. Returns the events it made. */
  async evaluate(inputs: AlertInputs, now = inputs.sample.t): Promise<AlertEvent[]> {
    const rules = this.rules().filter((r) => r.enabled);
    for (const name of inputs.runtime.keys()) this.#seenBrokers.add(name);
    const tps = new Map<string, number>(Object.entries(inputs.sample.topicRates).map(([topic, r]) => [topic, r.inTps ?? 0]));
    tps.set('*', Object.values(inputs.sample.brokers).reduce((sum, b) => sum + b.put, 0));
    const dlq = rules.some((r) => r.kind === 'dlq_growth') ? await this.#readDlq(inputs.admin, rules) : new Map<string, number>();
    const events: AlertEvent[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      let observations: Observation[];
      try {
        observations = await this.#observe(rule, inputs, tps, dlq);
      } catch (err) {
        process.stderr.write(`alert rule ${rule.name}: ${err instanceof Error ? err.message : String(err)}\n`);
        // The rule could not be read this time: its alerts keep their state.
        for (const [id, alert] of this.#active) if (alert.ruleId === rule.id) seen.add(id);
        continue;
      }
      for (const o of observations) {
        const id = alertId(rule.id, o.subject);
        const current = this.#active.get(id);
        if (o.breached) {
          seen.add(id);
          if (!current) {
            if (this.#active.size >= ALERT_ACTIVE_MAX) continue;
            this.#active.set(id, { id, ruleId: rule.id, subject: o.subject, state: 'pending', since: now, value: o.value, message: o.message });
          } else Object.assign(current, { value: o.value, message: o.message });
          const alert = this.#active.get(id)!;
          if (alert.state === 'pending' && now - alert.since >= rule.forMinutes * 60_000) {
            alert.state = 'firing';
            alert.firedAt = now;
            events.push(await this.#emit(rule, o, 'firing', now));
          }
        } else if (current) {
          this.#active.delete(id);
          if (current.state === 'firing') events.push(await this.#emit(rule, o, 'resolved', now));
        }
      }
    }
    // Alerts whose subject is gone (a group deleted, a topic idle): resolved too.
    for (const [id, alert] of [...this.#active]) {
      if (seen.has(id)) continue;
      this.#active.delete(id);
      const rule = rules.find((r) => r.id === alert.ruleId);
      if (rule && alert.state === 'firing') events.push(await this.#emit(rule, { subject: alert.subject, value: null, breached: false, message: `${alert.subject}: no longer reported` }, 'resolved', now));
    }
    this.#tpsHistory.push(tps);
    if (this.#tpsHistory.length > ALERT_TPS_BASELINE_SAMPLES + 1) this.#tpsHistory.shift();
    if (rules.some((r) => r.kind === 'dlq_growth')) this.#dlqTotals = dlq;
    this.#saveState();
    return events;
  }

  async #emit(rule: AlertRule, o: Observation, state: 'firing' | 'resolved', now: number): Promise<AlertEvent> {
    const event = this.#event(rule, o, state, now);
    if (rule.silencedUntil && rule.silencedUntil > now) event.delivery = { url: rule.webhookUrl, format: rule.webhookFormat, ok: false, skipped: 'silenced' };
    else if (!rule.webhookUrl) event.delivery = { url: '', format: rule.webhookFormat, ok: false, skipped: 'no_webhook' };
    else event.delivery = await deliver(event, rule.webhookUrl, rule.webhookFormat, this.consoleUrl);
    this.#appendEvent(event);
    return event;
  }

  /** Σ max offsets of the DLQ topics the rules watch, over every master. */
  async #readDlq(admin: AdminClient, rules: AlertRule[]): Promise<Map<string, number>> {
    const masters = [...(await admin.masterAddresses()).values()];
    const wanted = new Set(rules.filter((r) => r.kind === 'dlq_growth' && r.target !== '*').map((r) => `%DLQ%${r.target}`));
    if (rules.some((r) => r.kind === 'dlq_growth' && r.target === '*')) {
      for (const addr of masters) for (const topic of Object.keys(await admin.getAllTopicConfig(addr))) if (topic.startsWith('%DLQ%')) wanted.add(topic);
    }
    const totals = new Map<string, number>();
    for (const topic of wanted) {
      for (const addr of masters) {
        const stats = await admin.getTopicStats(addr, topic).catch(() => null);
        if (stats) totals.set(topic, (totals.get(topic) ?? 0) + stats.offsetTable.reduce((sum, o) => sum + o.offset.maxOffset, 0));
      }
    }
    return totals;
  }

  async #observe(rule: AlertRule, inputs: AlertInputs, tps: Map<string, number>, dlq: Map<string, number>): Promise<Observation[]> {
    const threshold = rule.threshold ?? 0;
    const unit = ALERT_KIND_INFO[rule.kind].unit;
    const { sample } = inputs;
    switch (rule.kind) {
      case 'lag': {
        const groups = rule.target === '*' ? Object.keys(sample.groupRates) : [rule.target];
        return groups.map((group) => {
          const lag = sample.groupRates[group]?.lag ?? 0;
          return { subject: group, value: lag, breached: lag > threshold, message: `${group}: lag ${lag} messages (threshold ${threshold})` };
        });
      }
      case 'drain_time': {
        const groups = rule.target === '*' ? Object.keys(sample.groupRates).filter((g) => (sample.groupRates[g]?.lag ?? 0) > 0) : [rule.target];
        const series = inputs.history.series('group', groups, sample.t - 30 * 60_000, sample.t);
        return groups.map((group) => {
          const drain = drainEstimate(series.get(group) ?? []);
          const minutes = drain.status === 'draining' && drain.seconds !== null ? Math.round(drain.seconds / 6) / 10 : drain.status === 'not_draining' ? Infinity : drain.status === 'caught_up' ? 0 : null;
          const breached = minutes !== null && minutes > threshold;
          const text = minutes === Infinity ? 'the lag does not drain' : minutes === null ? 'time to drain unknown yet' : `${minutes} min to drain`;
          return { subject: group, value: minutes === Infinity ? null : minutes, breached, message: `${group}: ${text} (lag ${drain.lag ?? 0}, threshold ${threshold} min)` };
        });
      }
      case 'online_clients': {
        const clients = new Set<string>();
        for (const addr of (await inputs.admin.masterAddresses()).values()) {
          const connection = await inputs.admin.getConsumerConnectionList(addr, rule.target).catch(() => null);
          for (const c of connection?.connections ?? []) clients.add(c.clientId);
        }
        return [{ subject: rule.target, value: clients.size, breached: clients.size < threshold, message: `${rule.target}: ${clients.size} online client${clients.size === 1 ? '' : 's'} (minimum ${threshold})` }];
      }
      case 'dlq_growth': {
        const topics = rule.target === '*' ? [...dlq.keys()] : [`%DLQ%${rule.target}`];
        return topics.map((topic) => {
          const now = dlq.get(topic) ?? 0;
          // The first read is the baseline; a DLQ that appears after it grew from nothing.
          const before = this.#dlqTotals === null ? now : (this.#dlqTotals.get(topic) ?? 0);
          const growth = Math.max(0, now - before);
          return { subject: topic.slice('%DLQ%'.length), value: growth, breached: growth > threshold, message: `${topic}: +${growth} messages since the last sample (${now} in all, threshold ${threshold})` };
        });
      }
      case 'broker_offline': {
        const watched = [...new Set([...this.#seenBrokers, ...inputs.brokers])].filter((b) => rule.target === '*' || b.split('#')[0] === rule.target);
        return watched.map((broker) => {
          const down = !inputs.runtime.has(broker);
          const known = inputs.brokers.includes(broker);
          return { subject: broker, value: down ? 0 : 1, breached: down, message: down ? `${broker}: ${known ? 'does not answer' : 'left the NameServers'}` : `${broker}: answers` };
        });
      }
      case 'disk_ratio': {
        return [...inputs.runtime].filter(([b]) => rule.target === '*' || b.split('#')[0] === rule.target).map(([broker, runtime]) => {
          const percent = Math.round(firstNumber(runtime.commitLogDiskRatio) * 1000) / 10;
          return { subject: broker, value: percent, breached: percent > threshold, message: `${broker}: disk ${percent}% used (threshold ${threshold}${unit})` };
        });
      }
      case 'tps_drop': {
        const topics = rule.target === '*' ? ['*'] : [rule.target];
        return topics.map((topic) => {
          const now = tps.get(topic) ?? 0;
          const base = this.#tpsHistory.slice(-ALERT_TPS_BASELINE_SAMPLES).map((m) => m.get(topic) ?? 0);
          const average = base.length ? base.reduce((s, x) => s + x, 0) / base.length : 0;
          const dropPercent = average > 0 ? Math.round(((average - now) / average) * 1000) / 10 : 0;
          const label = topic === '*' ? 'all brokers' : topic;
          return { subject: topic === '*' ? 'all brokers' : topic, value: dropPercent, breached: base.length > 0 && average > 0 && dropPercent > threshold, message: `${label}: ${now} msg/s, ${dropPercent}% below its recent ${Math.round(average * 100) / 100} msg/s (threshold ${threshold}%)` };
        });
      }
    }
  }
}

function sameRule(rule: AlertRule, input: AlertRuleInput): boolean {
  return (Object.keys(input) as (keyof AlertRuleInput)[]).every((k) => rule[k] === input[k]);
}

function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** The console's one alert manager (on globalThis: Next's route modules and the collector share it). */
export function alertManager(): AlertManager {
  const holder = globalThis as unknown as { __rocketdeckAlerts?: AlertManager };
  holder.__rocketdeckAlerts ??= new AlertManager();
  return holder.__rocketdeckAlerts;
}
