/**
 * Topics and subscription groups as a document (JSON or YAML), out and in. Export reads every master's
 * GET_ALL_TOPIC_CONFIG and GET_ALL_SUBSCRIPTIONGROUP_CONFIG (normal topics and non-system groups). Import
 * parses either format (YAML 1.2 reads JSON too, with the same line numbers), checks every entry with field
 * errors named by their place in the document (`topics[3].readQueueNums`, with line and column), and plans
 * per broker: create, update (field by field, before → after; only fields the document gives are compared),
 * unchanged, and what the cluster has that the document lacks (listed, never deleted). Apply re-plans and
 * refuses when the plan differs from the dry run the operator saw (planHash), then writes what it planned.
 *
 * Document: { version: 1, topics: [{ name, readQueueNums, writeQueueNums, perm, order, messageType, brokers }],
 *             groups: [{ name, consumeEnable, consumeBroadcastEnable, consumeFromMinEnable, consumeMessageOrderly,
 *                        retryQueueNums, retryMaxTimes, brokerId, whichBrokerWhenConsumeSlowly, brokers }] }
 * An entry without `brokers` goes to every master of the cluster the import is aimed at.
 */
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, stringify, isMap, isScalar, type Node } from 'yaml';
import { z } from 'zod';
import type { AdminClient, SubscriptionGroupConfig, TopicConfig } from '@broker/client/admin-client';
import { CONFIG_DOCUMENT_BYTES_MAX, CONFIG_ENTRIES_MAX, CONFIG_ERRORS_MAX } from '@broker/config/limits';
import { groupNameSchema, QUEUE_NUMS_MAX, topicKind, topicMessageType, topicNameSchema } from '@/lib/validation';
import { alertRuleInputSchema, type AlertRuleInput } from '@/lib/alerts-schema';
import { ALERT_RULES_MAX } from '@broker/config/limits';
import { alertManager } from './alerts/alert-manager';
import { isSystemGroup } from './consumers';

const MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'] as const;
const int = (label: string, min: number, max: number) =>
  z.number({ error: `${label} must be a number` }).int(`${label} must be a whole number`).min(min, `${label} must be at least ${min}`).max(max, `${label} must be at most ${max}`);
const flag = (label: string) => z.boolean({ error: `${label} is true or false` });
const brokers = z.array(z.string({ error: 'A broker name is text' }).min(1, 'A broker name is text').max(255, 'A broker name has at most 255 characters'), { error: 'brokers is a list of broker names' }).min(1, 'List at least one broker, or leave brokers out').max(256, 'At most 256 brokers');

const topicEntry = z.strictObject({
  name: topicNameSchema.refine((t) => !t.startsWith('%RETRY%') && !t.startsWith('%DLQ%'), 'Retry and dead-letter topics are made by the broker'),
  readQueueNums: int('Read queues', 1, QUEUE_NUMS_MAX).optional(),
  writeQueueNums: int('Write queues', 1, QUEUE_NUMS_MAX).optional(),
  perm: z.number({ error: 'Permission is 2, 4 or 6' }).refine((p) => p === 2 || p === 4 || p === 6, 'Permission is 2 (write), 4 (read) or 6 (read + write)').optional(),
  order: flag('order').optional(),
  messageType: z.enum(MESSAGE_TYPES, { error: `The message type is one of ${MESSAGE_TYPES.join(', ')}` }).optional(),
  brokers: brokers.optional(),
});

const groupEntry = z.strictObject({
  name: groupNameSchema,
  consumeEnable: flag('consumeEnable').optional(),
  consumeBroadcastEnable: flag('consumeBroadcastEnable').optional(),
  consumeFromMinEnable: flag('consumeFromMinEnable').optional(),
  consumeMessageOrderly: flag('consumeMessageOrderly').optional(),
  retryQueueNums: int('Retry queues', 0, 64).optional(),
  retryMaxTimes: int('Max retries', -1, 1000).optional(),
  brokerId: int('Broker id', 0, 1024).optional(),
  whichBrokerWhenConsumeSlowly: int('Slave broker id', 0, 1024).optional(),
  brokers: brokers.optional(),
});

const documentSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'version is 1' }).optional(),
    exportedAt: z.string().optional(),
    namesrvAddr: z.string().optional(),
    topics: z.array(topicEntry, { error: 'topics is a list' }).max(CONFIG_ENTRIES_MAX, `At most ${CONFIG_ENTRIES_MAX} topics`).default([]),
    groups: z.array(groupEntry, { error: 'groups is a list' }).max(CONFIG_ENTRIES_MAX, `At most ${CONFIG_ENTRIES_MAX} groups`).default([]),
    /** The console's alert rules (lib/server/alerts), matched by name on import; absent: left alone. */
    alertRules: z.array(alertRuleInputSchema, { error: 'alertRules is a list' }).max(ALERT_RULES_MAX, `At most ${ALERT_RULES_MAX} alert rules`).optional(),
  },
  { error: 'The document is a mapping with topics: and groups: lists' },
);

export type TopicEntry = z.infer<typeof topicEntry>;
export type GroupEntry = z.infer<typeof groupEntry>;
export type ConfigDocument = z.infer<typeof documentSchema>;

const TOPIC_FIELDS = ['readQueueNums', 'writeQueueNums', 'perm', 'order', 'messageType'] as const;
const GROUP_FIELDS = ['consumeEnable', 'consumeBroadcastEnable', 'consumeFromMinEnable', 'consumeMessageOrderly', 'retryQueueNums', 'retryMaxTimes', 'brokerId', 'whichBrokerWhenConsumeSlowly'] as const;
const TOPIC_DEFAULTS: Omit<ExportedTopic, 'name' | 'brokers'> = { readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false, messageType: 'NORMAL' };

// ---------------------------------------------------------------- export

interface ExportedTopic {
  name: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  order: boolean;
  messageType: string;
  brokers: string[];
}
type ExportedGroup = Required<Omit<GroupEntry, 'brokers'>> & { brokers: string[] };

function topicFields(config: TopicConfig): Omit<ExportedTopic, 'name' | 'brokers'> {
  return { readQueueNums: Number(config.readQueueNums), writeQueueNums: Number(config.writeQueueNums), perm: Number(config.perm), order: Boolean(config.order), messageType: topicMessageType(config) };
}

function groupFields(config: SubscriptionGroupConfig): Omit<ExportedGroup, 'name' | 'brokers'> {
  const out = {} as Record<(typeof GROUP_FIELDS)[number], unknown>;
  for (const field of GROUP_FIELDS) out[field] = config[field];
  return out as Omit<ExportedGroup, 'name' | 'brokers'>;
}

/** One entry per name and distinct configuration, with the brokers that have it. */
function mergeByBroker<T extends object>(perBroker: [string, Map<string, T>][]): { name: string; fields: T; brokers: string[] }[] {
  const entries = new Map<string, { name: string; fields: T; brokers: string[] }>();
  for (const [brokerName, table] of perBroker) {
    for (const [name, fields] of table) {
      const k = `${name}\n${JSON.stringify(fields)}`;
      const entry = entries.get(k) ?? { name, fields, brokers: [] };
      entry.brokers.push(brokerName);
      entries.set(k, entry);
    }
  }
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name) || a.brokers[0]!.localeCompare(b.brokers[0]!));
}

export async function exportConfig(admin: AdminClient, now = Date.now()): Promise<{ version: 1; exportedAt: string; namesrvAddr: string; topics: ExportedTopic[]; groups: ExportedGroup[] }> {
  const info = await admin.getClusterInfo();
  const masters = await admin.masterAddresses();
  const systemNames = new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]);
  const perBroker = await Promise.all(
    [...masters].sort(([a], [b]) => a.localeCompare(b)).map(async ([brokerName, addr]) => {
      const [topics, groups] = await Promise.all([admin.getAllTopicConfig(addr), admin.getAllSubscriptionGroupConfig(addr)]);
      const t = new Map(Object.entries(topics).filter(([name]) => topicKind(name, systemNames) === 'NORMAL').map(([name, c]) => [name, topicFields(c)]));
      const g = new Map(Object.entries(groups).filter(([name]) => !isSystemGroup(name)).map(([name, c]) => [name, groupFields(c)]));
      return { brokerName, t, g };
    }),
  );
  return {
    version: 1,
    exportedAt: new Date(now).toISOString(),
    namesrvAddr: admin.namesrvAddr.join(';'),
    topics: mergeByBroker(perBroker.map((b) => [b.brokerName, b.t] as [string, Map<string, Omit<ExportedTopic, 'name' | 'brokers'>>])).map((e) => ({ name: e.name, ...e.fields, brokers: e.brokers })),
    groups: mergeByBroker(perBroker.map((b) => [b.brokerName, b.g] as [string, Map<string, Omit<ExportedGroup, 'name' | 'brokers'>>])).map((e) => ({ name: e.name, ...e.fields, brokers: e.brokers })),
  };
}

export function formatDocument(document: object, format: 'json' | 'yaml'): string {
  if (format === 'json') return JSON.stringify(document, null, 2) + '\n';
  return `# Rocketdeck topics and subscription groups. Import it on the Config page (dry run first).\n${stringify(document, { lineWidth: 0 })}`;
}

// ---------------------------------------------------------------- parse and check

export type FieldErrors = Record<string, string>;

/** `topics[3].readQueueNums` */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '_';
}

/** The document, or field errors (with line and column where the document has them). */
export function parseConfig(text: string): { ok: true; document: ConfigDocument } | { ok: false; fields: FieldErrors } {
  if (Buffer.byteLength(text, 'utf8') > CONFIG_DOCUMENT_BYTES_MAX) return { ok: false, fields: { document: `The document is larger than ${CONFIG_DOCUMENT_BYTES_MAX / 1048576} MiB` } };
  if (!text.trim()) return { ok: false, fields: { document: 'Paste or upload a JSON or YAML document' } };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const at = lineCounter.linePos(first.pos[0]);
    return { ok: false, fields: { document: `Not valid JSON or YAML at line ${at.line}, column ${at.col}: ${first.message.split('\n')[0]}` } };
  }
  const parsed = documentSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const fields: FieldErrors = {};
    let more = 0;
    for (const issue of parsed.error.issues) {
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const key = path.length > 0 ? pathText(path) : 'document';
        if (fields[key]) continue;
        if (Object.keys(fields).length >= CONFIG_ERRORS_MAX) {
          more++;
          continue;
        }
        const message = issue.code === 'unrecognized_keys' ? unknownFieldMessage(path) : issue.message;
        fields[key] = `${message}${where(doc, lineCounter, path, issue.code === 'unrecognized_keys')}`;
      }
    }
    if (more > 0) fields._ = `${more} more errors not shown`;
    return { ok: false, fields };
  }
  const duplicates = duplicateErrors(parsed.data, doc, lineCounter);
  return Object.keys(duplicates).length > 0 ? { ok: false, fields: duplicates } : { ok: true, document: parsed.data };
}

function unknownFieldMessage(path: readonly PropertyKey[]): string {
  const list = path[0] === 'topics' ? ['name', ...TOPIC_FIELDS, 'brokers'] : path[0] === 'groups' ? ['name', ...GROUP_FIELDS, 'brokers'] : ['version', 'topics', 'groups'];
  return `Unknown field "${String(path[path.length - 1])}" (known: ${list.join(', ')})`;
}

/** " (line L, column C)" of the value at the path (or of the key, for an unknown field). */
function where(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: readonly PropertyKey[], key: boolean): string {
  let node: unknown = doc.getIn(path.map((p) => (typeof p === 'number' ? p : String(p))), true);
  if (key || node === undefined) {
    const parent = doc.getIn(path.slice(0, -1).map((p) => (typeof p === 'number' ? p : String(p))), true);
    if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path[path.length - 1])?.key ?? parent;
  }
  const range = (node as Node | undefined)?.range;
  if (!range) return '';
  const at = lineCounter.linePos(range[0]);
  return ` (line ${at.line}, column ${at.col})`;
}

/** The same topic or group twice for one broker (or twice without brokers). */
function duplicateErrors(document: ConfigDocument, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): FieldErrors {
  const fields: FieldErrors = {};
  for (const list of ['topics', 'groups'] as const) {
    const seen = new Map<string, number>();
    document[list].forEach((entry, index) => {
      for (const broker of entry.brokers ?? ['*']) {
        const k = `${entry.name}\n${broker}`;
        const first = seen.get(k) ?? seen.get(`${entry.name}\n*`) ?? (broker === '*' ? [...seen].find(([key]) => key.startsWith(`${entry.name}\n`))?.[1] : undefined);
        if (first !== undefined && first !== index) {
          const path = [list, index, 'name'];
          fields[pathText(path)] ??= `"${entry.name}" is already given at ${list}[${first}]${broker === '*' ? '' : ` for broker ${broker}`}${where(doc, lineCounter, path, false)}`;
        }
        seen.set(k, seen.get(k) ?? index);
      }
    });
  }
  return fields;
}

// ---------------------------------------------------------------- plan

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface BrokerPlan {
  brokerName: string;
  action: 'create' | 'update' | 'unchanged';
  changes: FieldChange[];
}

export interface PlanItem {
  kind: 'topic' | 'group';
  name: string;
  /** Where the entry is in the document, e.g. topics[3]. */
  path: string;
  action: 'create' | 'update' | 'unchanged';
  brokers: BrokerPlan[];
}

export interface ImportPlan {
  items: PlanItem[];
  /** In the cluster (on the brokers the document aims at) but not in the document: never deleted. */
  notInFile: { kind: 'topic' | 'group'; name: string; brokers: string[] }[];
  counts: { create: number; update: number; unchanged: number; notInFile: number };
  /** The document's alert rules: what the import does with each (they live in this console, not the cluster). */
  alertRules?: { name: string; action: 'create' | 'update' | 'unchanged' }[];
  planHash: string;
}

interface Current {
  masters: Map<string, string>;
  topics: Map<string, Record<string, TopicConfig>>;
  groups: Map<string, Record<string, SubscriptionGroupConfig>>;
  systemNames: Set<string>;
}

async function readCurrent(admin: AdminClient): Promise<Current> {
  const info = await admin.getClusterInfo();
  const masters = await admin.masterAddresses();
  const topics = new Map<string, Record<string, TopicConfig>>();
  const groups = new Map<string, Record<string, SubscriptionGroupConfig>>();
  await Promise.all(
    [...masters].map(async ([brokerName, addr]) => {
      const [t, g] = await Promise.all([admin.getAllTopicConfig(addr), admin.getAllSubscriptionGroupConfig(addr)]);
      topics.set(brokerName, t);
      groups.set(brokerName, g);
    }),
  );
  return { masters, topics, groups, systemNames: new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]) };
}

/** Brokers of each entry (its own list, else the target cluster's masters), or field errors. */
async function targetsOf(admin: AdminClient, document: ConfigDocument, cluster: string | undefined, current: Current): Promise<{ ok: true; targets: Map<string, string[]> } | { ok: false; fields: FieldErrors }> {
  const fields: FieldErrors = {};
  const targets = new Map<string, string[]>();
  let clusterBrokers: string[] | null = null;
  const needsCluster = [...document.topics, ...document.groups].some((e) => !e.brokers);
  if (needsCluster) {
    const info = await admin.getClusterInfo();
    if (!cluster) fields.cluster = 'Choose the cluster for the entries that name no brokers';
    else if (!info.clusterAddrTable[cluster]) fields.cluster = `Cluster "${cluster}" does not exist`;
    else clusterBrokers = info.clusterAddrTable[cluster]!.filter((b) => current.masters.has(b));
  }
  for (const list of ['topics', 'groups'] as const) {
    document[list].forEach((entry, index) => {
      entry.brokers?.forEach((b, i) => {
        if (!current.masters.has(b)) fields[`${list}[${index}].brokers[${i}]`] ??= `Broker "${b}" has no master in this cluster`;
      });
      targets.set(`${list}[${index}]`, entry.brokers ?? clusterBrokers ?? []);
    });
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, targets };
}

function compare(fieldsOrder: readonly string[], entry: Record<string, unknown>, before: Record<string, unknown> | null): BrokerPlan['changes'] {
  const changes: FieldChange[] = [];
  for (const field of fieldsOrder) {
    const after = entry[field];
    if (after === undefined) continue;
    const was = before?.[field];
    if (before === null || was !== after) changes.push({ field, before: before === null ? null : (was ?? null), after });
  }
  return changes;
}

export async function planImport(admin: AdminClient, document: ConfigDocument, cluster?: string): Promise<{ ok: true; plan: ImportPlan } | { ok: false; fields: FieldErrors }> {
  const current = await readCurrent(admin);
  const resolved = await targetsOf(admin, document, cluster, current);
  if (!resolved.ok) return resolved;
  const items: PlanItem[] = [];
  const mentioned = { topic: new Set<string>(), group: new Set<string>() };
  const touched = new Set<string>();
  const plan = <E extends { name: string }>(kind: 'topic' | 'group', list: 'topics' | 'groups', entries: E[], existing: (broker: string, name: string) => Record<string, unknown> | null, order: readonly string[], defaults: Record<string, unknown>) => {
    entries.forEach((entry, index) => {
      const path = `${list}[${index}]`;
      mentioned[kind].add(entry.name);
      const brokerPlans = resolved.targets.get(path)!.map((brokerName): BrokerPlan => {
        touched.add(brokerName);
        const before = existing(brokerName, entry.name);
        const wanted = before === null ? { ...defaults, ...entry } : (entry as Record<string, unknown>);
        const changes = compare(order, wanted, before);
        return { brokerName, action: before === null ? 'create' : changes.length > 0 ? 'update' : 'unchanged', changes };
      });
      const action = brokerPlans.every((b) => b.action === 'create') ? 'create' : brokerPlans.some((b) => b.action !== 'unchanged') ? 'update' : 'unchanged';
      items.push({ kind, name: entry.name, path, action, brokers: brokerPlans });
    });
  };
  plan('topic', 'topics', document.topics, (b, name) => {
    const c = current.topics.get(b)?.[name];
    return c ? topicFields(c) : null;
  }, TOPIC_FIELDS, TOPIC_DEFAULTS);
  plan('group', 'groups', document.groups, (b, name) => {
    const c = current.groups.get(b)?.[name];
    return c ? groupFields(c) : null;
  }, GROUP_FIELDS, {});
  const notInFile: ImportPlan['notInFile'] = [];
  const absent = (kind: 'topic' | 'group', tables: Map<string, Record<string, unknown>>, keep: (name: string) => boolean) => {
    const byName = new Map<string, string[]>();
    for (const [broker, table] of tables) {
      if (!touched.has(broker)) continue;
      for (const name of Object.keys(table)) if (keep(name) && !mentioned[kind].has(name)) byName.set(name, [...(byName.get(name) ?? []), broker].sort());
    }
    for (const [name, brokers] of [...byName].sort(([a], [b]) => a.localeCompare(b))) notInFile.push({ kind, name, brokers });
  };
  absent('topic', current.topics, (name) => topicKind(name, current.systemNames) === 'NORMAL');
  absent('group', current.groups, (name) => !isSystemGroup(name));
  const counts = { create: 0, update: 0, unchanged: 0, notInFile: notInFile.length };
  for (const item of items) counts[item.action]++;
  const alertRules = document.alertRules ? alertManager().planRules(document.alertRules as AlertRuleInput[]) : undefined;
  const planHash = createHash('sha256').update(JSON.stringify([items.map((i) => [i.kind, i.name, i.brokers]), alertRules ?? null])).digest('hex').slice(0, 16);
  return { ok: true, plan: { items, notInFile, counts, planHash, ...(alertRules ? { alertRules } : {}) } };
}

// ---------------------------------------------------------------- apply

export interface ApplyResult {
  kind: 'topic' | 'group';
  name: string;
  brokerName: string;
  action: 'create' | 'update';
  ok: boolean;
  error?: string;
}

/** Writes the planned creates and updates (topics first, so groups of new topics find them), each broker on its own. */
export async function applyImport(admin: AdminClient, document: ConfigDocument, plan: ImportPlan): Promise<ApplyResult[]> {
  const current = await readCurrent(admin);
  const results: ApplyResult[] = [];
  for (const item of plan.items) {
    const index = Number(/\[(\d+)\]/.exec(item.path)![1]);
    for (const b of item.brokers) {
      if (b.action === 'unchanged') continue;
      const addr = current.masters.get(b.brokerName)!;
      try {
        if (item.kind === 'topic') await writeTopic(admin, addr, document.topics[index]!, current.topics.get(b.brokerName)?.[item.name] ?? null);
        else await writeGroup(admin, addr, document.groups[index]!, current.groups.get(b.brokerName)?.[item.name] ?? null);
        results.push({ kind: item.kind, name: item.name, brokerName: b.brokerName, action: b.action, ok: true });
      } catch (err) {
        const e = err as { message?: string; remark?: string; responseCode?: number };
        results.push({ kind: item.kind, name: item.name, brokerName: b.brokerName, action: b.action, ok: false, error: e.remark ? `${e.remark} (response code ${e.responseCode})` : (e.message ?? String(err)) });
      }
    }
  }
  return results;
}

async function writeTopic(admin: AdminClient, addr: string, entry: TopicEntry, before: TopicConfig | null): Promise<void> {
  const base = before ? topicFields(before) : TOPIC_DEFAULTS;
  const messageType = entry.messageType ?? base.messageType;
  const removeType = before !== null && messageType === 'NORMAL' && Boolean(before.attributes?.['message.type'] ?? before.attributes?.['+message.type']);
  const attributes: Record<string, string> | undefined = messageType !== 'NORMAL' ? { '+message.type': messageType } : removeType ? { '-message.type': '' } : undefined;
  await admin.createOrUpdateTopic(addr, {
    topicName: entry.name,
    readQueueNums: entry.readQueueNums ?? base.readQueueNums,
    writeQueueNums: entry.writeQueueNums ?? base.writeQueueNums,
    perm: entry.perm ?? base.perm,
    order: entry.order ?? (entry.messageType ? entry.messageType === 'FIFO' : base.order),
    ...(attributes ? { attributes } : {}),
  });
}

async function writeGroup(admin: AdminClient, addr: string, entry: GroupEntry, before: SubscriptionGroupConfig | null): Promise<void> {
  const { brokers: _brokers, name, ...fields } = entry;
  await admin.createOrUpdateSubscriptionGroup(addr, { ...(before ?? {}), ...fields, groupName: name });
}

// ---------------------------------------------------------------- request and audit

/** A document as text → parsed and planned against the cluster, or field errors (of the document, then of the plan). */
export async function planText(admin: AdminClient, text: string, cluster: string | undefined): Promise<{ ok: true; document: ConfigDocument; plan: ImportPlan } | { ok: false; fields: FieldErrors; message?: string }> {
  const parsed = parseConfig(text);
  if (!parsed.ok) return { ok: false, fields: parsed.fields, message: 'The document has errors' };
  const planned = await planImport(admin, parsed.document, cluster || undefined);
  return planned.ok ? { ok: true, document: parsed.document, plan: planned.plan } : planned;
}

type ByName = { topics?: Record<string, Record<string, unknown>>; groups?: Record<string, Record<string, unknown>> };

/**
 * What an applied import changed, for the audit log: per topic / group and broker, the planned fields before
 * (absent for a create) and after (or the broker's error for a write that failed). Unchanged entries are left out.
 */
export function importAudit(plan: ImportPlan, results: ApplyResult[]): { target: string; before?: ByName; after: ByName } {
  const before: ByName = {};
  const after: ByName = {};
  const put = (side: ByName, kind: 'topic' | 'group', name: string, broker: string, value: Record<string, unknown>) => {
    const list = ((side[kind === 'topic' ? 'topics' : 'groups'] ??= {})[name] ??= {});
    list[broker] = value;
  };
  const touched: string[] = [];
  for (const item of plan.items) {
    for (const b of item.brokers) {
      if (b.action === 'unchanged') continue;
      const result = results.find((r) => r.kind === item.kind && r.name === item.name && r.brokerName === b.brokerName);
      if (!result) continue;
      if (b.action === 'update') put(before, item.kind, item.name, b.brokerName, Object.fromEntries(b.changes.map((c) => [c.field, c.before])));
      put(after, item.kind, item.name, b.brokerName, result.ok ? Object.fromEntries(b.changes.map((c) => [c.field, c.after])) : { error: result.error ?? 'failed' });
    }
    if (item.action !== 'unchanged') touched.push(`${item.kind} ${item.name}`);
  }
  // Only creates: nothing existed before (an empty object would read as a changed value on the Audit page).
  return { target: touched.join(', '), ...(Object.keys(before).length > 0 ? { before } : {}), after };
}
