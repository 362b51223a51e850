/**
 * Every console API operation, documented: the OpenAPI document (GET /api/openapi.json) is generated from this
 * list and the zod schemas the routes parse with (lib/validation.ts). A test fails when a route file under
 * app/api exports a method that is not listed here, or when an entry names a route that does not exist.
 *
 * Adding a route: add one entry { method, path, tag, summary, query?, body? } with the route's own schemas.
 * Who may call it is not written here: the document states the policy's answer (lib/server/security/policy.ts).
 */
import { z } from 'zod';
import {
  auditQuerySchema,
  changePasswordSchema,
  consumerListQuerySchema,
  createTokenSchema,
  createTopicSchema,
  createUserSchema,
  dashboardQuerySchema,
  existingTopicSchema,
  groupNameSchema,
  loginSchema,
  messageIdSchema,
  messageKeyQuerySchema,
  messageQuerySchema,
  opsActionSchema,
  opsSessionSchema,
  producerQuerySchema,
  resendMessageSchema,
  resetOffsetSchema,
  configApplySchema,
  configDryRunSchema,
  configExportQuerySchema,
  historyQuerySchema,
  namesrvSchema,
  sparklinesBodySchema,
  sendMessageSchema,
  skipAccumulateSchema,
  subscriptionGroupSchema,
  updateUserSchema,
  userNameSchema,
} from '@/lib/validation';
import { explorerQueuesQuerySchema, messageAtSchema, scanIdSchema, scanPollQuerySchema, scanRequestSchema, tailRequestSchema } from '@/lib/explorer/schema';
import { offsetResetApplySchema, offsetResetPreviewSchema } from '@/lib/offset-reset-schema';
import { alertEventsQuerySchema, alertIdSchema, alertRuleIdSchema, alertRuleInputSchema, silenceSchema } from '@/lib/alerts-schema';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI form: /api/topics/{topic}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameters (every {name} in the path). */
  params?: Record<string, z.ZodType>;
  /** Query parameters; several schemas are merged (a parameter is required only when every schema requires it). */
  query?: z.ZodType[];
  body?: z.ZodType;
  /** Extra words for fields whose rule a JSON Schema cannot express (refinements). */
  fieldNotes?: Record<string, string>;
  /** Success answer: status, what it holds, and its media types when not JSON (a download, an event stream). */
  success?: { status: number; description: string; content?: string[] };
  /** Error answers this route has besides the common ones (404 for an unknown id, 429 for a busy console). */
  errors?: Record<number, string>;
  /** The route reaches the cluster: 502 when it does not answer, 422 when a broker refuses. */
  cluster?: boolean;
}

// Parameters the routes check by hand (no shared schema): documented with the same rules.
const topicView = z.object({ view: z.enum(['status', 'route', 'config', 'consumers']).default('status') });
const groupView = z.object({ view: z.enum(['connection', 'detail', 'config']).default('connection') });
const brokerQuery = z.object({ addr: z.string().describe('A broker of the cluster, host:port'), view: z.enum(['status', 'config']).default('status') });
const confirm = (what: string) => z.object({ confirm: z.string().describe(`The ${what} name again, to confirm`) });
const messageTopic = z.object({ topic: existingTopicSchema.optional().describe("The message's topic: needed for a client msgId (UNIQ_KEY)") });
const traceQuery = z.object({ traceTopic: existingTopicSchema.default('RMQ_SYS_TRACE_TOPIC') });
const skipQuery = z.object({ skip: z.enum(['1']).optional().describe('1: SKIP ACCUMULATE (body {groups}) instead of a reset by time') });
const tokenId = z.string().regex(/^[0-9a-f]{16}$/);
const messageNotFound = { 404: 'No message there (message_not_found)' };
const json = (description: string) => ({ status: 200, description });

export const operations: ApiOperation[] = [
  // Sign-in
  { method: 'get', path: '/api/auth/session', tag: 'Sign-in', summary: 'Whether sign-in is required, and who this request is' },
  { method: 'post', path: '/api/auth/login', tag: 'Sign-in', summary: 'Sign in: sets the session cookie', description: 'Failed attempts are limited per address and per user name (429 with Retry-After).', body: loginSchema },
  { method: 'post', path: '/api/auth/logout', tag: 'Sign-in', summary: "Sign out: ends this browser's session" },
  { method: 'post', path: '/api/auth/password', tag: 'Sign-in', summary: 'Change your password; other sessions of the user end', body: changePasswordSchema },
  // Users and tokens
  { method: 'get', path: '/api/users', tag: 'Users and tokens', summary: 'Console users and their roles' },
  { method: 'post', path: '/api/users', tag: 'Users and tokens', summary: 'Add a user', body: createUserSchema, success: { status: 201, description: 'The user (without the password hash)' } },
  { method: 'patch', path: '/api/users/{name}', tag: 'Users and tokens', summary: "Change a user's role", params: { name: userNameSchema }, body: updateUserSchema },
  { method: 'delete', path: '/api/users/{name}', tag: 'Users and tokens', summary: 'Remove a user and end their sessions (the last admin stays)', params: { name: userNameSchema } },
  { method: 'get', path: '/api/tokens', tag: 'Users and tokens', summary: 'API tokens (never their secrets)' },
  { method: 'post', path: '/api/tokens', tag: 'Users and tokens', summary: 'Create an API token', description: 'The answer holds the secret, shown this once only. Use it as Authorization: Bearer <secret>.', body: createTokenSchema, success: { status: 201, description: '{ token, secret }' } },
  { method: 'delete', path: '/api/tokens/{id}', tag: 'Users and tokens', summary: 'Revoke an API token (its next use answers 401)', params: { id: tokenId } },
  // Audit and API
  { method: 'get', path: '/api/audit', tag: 'Audit and API', summary: 'Audit entries, newest first, filtered and paged on the server', query: [auditQuerySchema], fieldNotes: { result: 'ok, error (any failure), or one error code', from: 'ms since the epoch, inclusive', to: 'ms since the epoch, exclusive' } },
  { method: 'get', path: '/api/openapi.json', tag: 'Audit and API', summary: 'This document (OpenAPI 3.1)' },
  // Metrics
  { method: 'get', path: '/metrics', tag: 'Metrics', summary: 'Prometheus metrics of the cluster and this console', description: 'Prometheus text format: per broker, topic and group (rocketmq_messages_in_total, rocketmq_messages_out_total, rocketmq_consumer_lag_messages, rocketdeck_broker_tps, rocketdeck_storage_disk_ratio, ...), read over the protocol at most every 5 s; the embedded broker\'s latency histograms and connections; this process\'s RSS and CPU. A scraper on another machine sends Authorization: Bearer <read-only API token>.', success: { status: 200, description: 'Prometheus text exposition format 0.0.4', content: ['text/plain; version=0.0.4'] }, cluster: true },
  // Cluster
  { method: 'get', path: '/api/status', tag: 'Cluster', summary: 'NameServer reachability and broker liveness', cluster: true },
  { method: 'get', path: '/api/cluster', tag: 'Cluster', summary: 'Every broker with its runtime figures', cluster: true },
  { method: 'get', path: '/api/cluster/broker', tag: 'Cluster', summary: "One broker's runtime figures or configuration", query: [brokerQuery], cluster: true },
  { method: 'get', path: '/api/dashboard', tag: 'Cluster', summary: "The collector's samples of one day: broker TPS, top topics", query: [dashboardQuerySchema] },
  { method: 'get', path: '/api/ops', tag: 'Cluster', summary: 'The NameServer list of this browser session, the default and the saved lists' },
  { method: 'post', path: '/api/ops', tag: 'Cluster', summary: 'Switch this session to a NameServer list, save or forget one, or reset', body: opsActionSchema },
  { method: 'post', path: '/api/ops/session', tag: 'Cluster', summary: 'Move this browser session to a saved cluster connection, or back to the default', description: 'For every signed-in user, read-only too: only the console default or a list an admin saved (400 for any other address); changes nothing but this session\'s cookie.', body: opsSessionSchema },
  { method: 'get', path: '/api/ops/health', tag: 'Cluster', summary: 'Health of one cluster connection the OPS page lists: NameServers answering, brokers alive, topics', description: 'Only a saved list, the console default or this session\'s list is probed (400 for any other address).', query: [namesrvSchema], success: json('{ namesrvAddr, reachable, namesrvs, clusters, brokers: { total, alive, notAnswering }, topics, unevenRegistration, error?, checkedAt }') },
  // Topics
  { method: 'get', path: '/api/topics', tag: 'Topics', summary: 'Every topic with its kind and message type', cluster: true },
  { method: 'post', path: '/api/topics', tag: 'Topics', summary: 'Create or update a topic on clusters / brokers', body: createTopicSchema, fieldNotes: { perm: '2 (write), 4 (read) or 6 (read + write)', clusters: 'At least one cluster or broker' }, success: { status: 201, description: 'The topic and the brokers it was saved on' }, cluster: true },
  { method: 'get', path: '/api/topics/{topic}', tag: 'Topics', summary: "A topic's queues, route, config per broker, or consuming groups", params: { topic: existingTopicSchema }, query: [topicView], cluster: true },
  { method: 'delete', path: '/api/topics/{topic}', tag: 'Topics', summary: 'Delete a topic on every broker and the NameServers', params: { topic: existingTopicSchema }, query: [confirm('topic')], cluster: true },
  { method: 'post', path: '/api/topics/{topic}/send', tag: 'Topics', summary: "SEND MESSAGE: answers RocketMQ's SendResult", params: { topic: existingTopicSchema }, body: sendMessageSchema, cluster: true },
  { method: 'post', path: '/api/topics/{topic}/reset', tag: 'Topics', summary: 'RESET CONSUMER OFFSET of groups to a time, or SKIP ACCUMULATE with ?skip=1', params: { topic: existingTopicSchema }, query: [skipQuery], body: z.union([resetOffsetSchema, skipAccumulateSchema]), cluster: true },
  // Consumers and producers
  { method: 'get', path: '/api/consumers', tag: 'Consumers', summary: 'Consumer groups with clients, TPS and lag, filtered, sorted and paged', query: [consumerListQuerySchema], cluster: true },
  { method: 'post', path: '/api/consumers', tag: 'Consumers', summary: 'Create or update a subscription group on clusters / brokers', body: subscriptionGroupSchema, success: { status: 201, description: 'The group and the brokers it was saved on' }, cluster: true },
  { method: 'get', path: '/api/consumers/{group}', tag: 'Consumers', summary: "A group's clients, offsets and lag per queue, or config", params: { group: groupNameSchema }, query: [groupView], cluster: true },
  { method: 'delete', path: '/api/consumers/{group}', tag: 'Consumers', summary: 'Delete a subscription group (and its offsets) on every broker', params: { group: groupNameSchema }, query: [confirm('group')], cluster: true },
  { method: 'post', path: '/api/consumers/{group}/reset/preview', tag: 'Consumers', summary: "Preview an offset reset: each queue's committed offset before → after and the lag change", description: 'By time, to exact offsets per queue, copied from another group, or to the end. Writes nothing whatever the body says, so read-only users may call it; not recorded in the audit log unless refused.', params: { group: groupNameSchema }, body: offsetResetPreviewSchema, success: json('{ status: "preview", preview: { queues: [{ brokerName, queueId, minOffset, brokerOffset, before, after, lagBefore, lagAfter }], lagBefore, lagAfter, clients } }'), cluster: true },
  { method: 'post', path: '/api/consumers/{group}/reset', tag: 'Consumers', summary: 'Reset the offsets of a group on a topic to what its preview showed', description: 'Send the preview\'s per-queue before/after as `expected`: when the offsets moved since, nothing is written and the answer is the new preview (status "moved"), unless ifMoved is "apply". Audited as consumer.resetOffset with each changed queue\'s offset before and after.', params: { group: groupNameSchema }, body: offsetResetApplySchema, success: json('{ status: "applied", preview, changed, pushedToClients, moved } or { status: "moved", preview, moved }'), cluster: true },
  { method: 'get', path: '/api/producers', tag: 'Consumers', summary: "A producer group's connections on the brokers of a topic", query: [producerQuerySchema], cluster: true },
  // Messages
  { method: 'get', path: '/api/messages', tag: 'Messages', summary: 'Messages of a topic stored in [begin, end), paged; or by key', description: 'Give begin and end (ms) for a time range, or key for the index.', query: [messageQuerySchema, messageKeyQuerySchema], cluster: true },
  { method: 'get', path: '/api/messages/{id}', tag: 'Messages', summary: 'One message with all fields, properties, body and delivery per group', params: { id: messageIdSchema }, query: [messageTopic], cluster: true },
  { method: 'post', path: '/api/messages/{id}/resend', tag: 'Messages', summary: 'Ask an online client of a group to consume the message again', params: { id: messageIdSchema }, body: resendMessageSchema, cluster: true },
  { method: 'get', path: '/api/messages/{id}/body', tag: 'Messages', summary: 'The raw body bytes of one message, as a download', params: { id: messageIdSchema }, query: [messageTopic], success: { status: 200, description: 'The body exactly as stored (Content-Disposition: attachment)', content: ['application/octet-stream'] }, errors: messageNotFound, cluster: true },
  { method: 'get', path: '/api/trace/{id}', tag: 'Messages', summary: 'The trace of one message as a timeline', params: { id: messageIdSchema }, query: [traceQuery], cluster: true },
  // Message explorer
  { method: 'get', path: '/api/explorer/queues', tag: 'Explorer', summary: "A topic's readable queues with their min and max offsets", query: [explorerQueuesQuerySchema], success: json('{ topic, queues: [{ queue: "broker:queueId", brokerName, queueId, minOffset, maxOffset }] }'), cluster: true },
  { method: 'post', path: '/api/explorer/scans', tag: 'Explorer', summary: 'Start a bounded scan of a topic with filters (tag, key, property, body, JSON)', description: 'Poll GET /api/explorer/scans/{id} for progress and results; a scan nobody polls for 20 s stops. Reads only (no consumer offset is committed), so read-only users may call it; not recorded in the audit log unless refused.', body: scanRequestSchema, success: { status: 201, description: 'The scan\'s first snapshot: { id, state, scanned, total, matched, results, ... }' }, errors: { 429: 'Too many scans running (too_many_scans)' }, cluster: true },
  { method: 'get', path: '/api/explorer/scans/{id}', tag: 'Explorer', summary: "A scan's progress and its results from the after-th on", params: { id: scanIdSchema }, query: [scanPollQuerySchema], success: json('{ id, state: running|done, stopReason, scanned, total, matched, resultsFrom, results }'), errors: { 404: 'No such scan: it ended more than 5 minutes ago, or the console restarted (scan_not_found)' } },
  { method: 'delete', path: '/api/explorer/scans/{id}', tag: 'Explorer', summary: 'Cancel a scan (it stops before its next pull)', description: 'Stops a read, so read-only users may call it; not recorded in the audit log unless refused.', params: { id: scanIdSchema }, success: json("The scan's last snapshot"), errors: { 404: 'No such scan (scan_not_found)' } },
  { method: 'get', path: '/api/explorer/tail', tag: 'Explorer', summary: 'Live tail of a topic: new messages as server-sent events, through the filters, rate-capped', description: 'Events: `start` (queues, rate, cursor), `message` (one row per forwarded message), `stats` (received, matched, forwarded, skipped by the rate cap, cursor), `warning` (a failed pull being retried), `end` (reason). Close the stream to stop the pulls; open it again with cursor= to continue where it paused.', query: [tailRequestSchema], success: { status: 200, description: 'An event stream (text/event-stream) that stays open', content: ['text/event-stream'] }, errors: { 429: 'Too many tails open (too_many_tails)' }, cluster: true },
  { method: 'get', path: '/api/explorer/tail/status', tag: 'Explorer', summary: 'Live tails open, their pulls waiting at brokers, and scans running', success: json('{ tails, pullsInFlight, scans }') },
  { method: 'get', path: '/api/explorer/message', tag: 'Explorer', summary: 'The message at a position (topic, broker, queue, offset): the stable link', description: 'With msgId, a position that now holds another message (or none) falls back to the id, and note says so.', query: [messageAtSchema], success: json('{ message, brokerName, foundBy, note, track }'), errors: messageNotFound, cluster: true },
  { method: 'get', path: '/api/explorer/message/body', tag: 'Explorer', summary: 'The raw body bytes of the message at a position, as a download', query: [messageAtSchema], success: { status: 200, description: 'The body exactly as stored (Content-Disposition: attachment)', content: ['application/octet-stream'] }, errors: messageNotFound, cluster: true },
  // History
  { method: 'get', path: '/api/history', tag: 'History', summary: "The collector's series of a group (lag, consume and produce TPS, time to drain) or topic (in / out TPS) over a range", query: [historyQuerySchema], success: json('{ kind, name, range, from, to, samples, fields, points: [{ t, ...fields }], drain? (groups), intervalMs, collecting, collectorError, otherCluster, sampledNamesrv }') },
  { method: 'post', path: '/api/history/sparklines', tag: 'History', summary: "One small line per name: a group's lag or a topic's in TPS, for a list page", description: 'A POST because the names of a page do not fit a URL; reads only, so read-only users may call it, and it is not recorded in the audit log unless refused.', body: sparklinesBodySchema, success: json('{ kind, range, points, lines: { name: [number | null] } }') },
  // Alerts
  { method: 'get', path: '/api/alerts', tag: 'Alerts', summary: 'Alert rules, the alerts pending or firing, the newest events, and the collector that evaluates the rules', query: [alertEventsQuerySchema], success: json('{ rules, alerts: [{ id, ruleId, ruleName, kind, subject, state: pending|firing, since, firedAt, value, message, acknowledgedAt, acknowledgedBy, silencedUntil }], events: [{ state: firing|resolved|test, ..., delivery }], collector }') },
  { method: 'post', path: '/api/alerts/rules', tag: 'Alerts', summary: 'Create an alert rule', description: 'Kinds: lag, drain_time, online_clients, dlq_growth, broker_offline, disk_ratio, tps_drop; target is a group, broker or topic, or * for every one. Evaluated after every collector sample; firing and resolved events go to the webhook (json, slack or dingtalk).', body: alertRuleInputSchema, success: { status: 201, description: '{ rule }' }, errors: { 409: 'A rule of that name exists (conflict)' } },
  { method: 'put', path: '/api/alerts/rules/{id}', tag: 'Alerts', summary: 'Replace an alert rule (its alerts start again)', params: { id: alertRuleIdSchema }, body: alertRuleInputSchema, errors: { 404: 'No such rule (not_found)', 409: 'Another rule has that name (conflict)' } },
  { method: 'delete', path: '/api/alerts/rules/{id}', tag: 'Alerts', summary: 'Remove an alert rule and its alerts', params: { id: alertRuleIdSchema }, errors: { 404: 'No such rule (not_found)' } },
  { method: 'post', path: '/api/alerts/rules/{id}/silence', tag: 'Alerts', summary: 'Silence a rule for some minutes (0 lifts it): events are recorded, not delivered', params: { id: alertRuleIdSchema }, body: silenceSchema, errors: { 404: 'No such rule (not_found)' } },
  { method: 'post', path: '/api/alerts/rules/{id}/test', tag: 'Alerts', summary: "Send a test event to the rule's webhook now", params: { id: alertRuleIdSchema }, success: json('{ event: { ..., delivery: { url, format, ok, status?, error? } } }'), errors: { 404: 'No such rule (not_found)' } },
  { method: 'post', path: '/api/alerts/{id}/ack', tag: 'Alerts', summary: 'Acknowledge a pending or firing alert (it stays until its condition ends)', params: { id: alertIdSchema }, errors: { 404: 'No such alert: it resolved, or its rule changed (not_found)' } },
  // Config export / import
  { method: 'get', path: '/api/config/export', tag: 'Config', summary: "The cluster's normal topics and non-system subscription groups as a document to download", query: [configExportQuerySchema], success: { status: 200, description: 'The document as an attachment: { version: 1, exportedAt, namesrvAddr, topics, groups }', content: ['application/yaml', 'application/json'] }, cluster: true },
  { method: 'post', path: '/api/config/import/dry-run', tag: 'Config', summary: 'Plan an import: what would be created, updated field by field, left alone, or is not in the document (never deleted)', description: 'Field errors are named by their place in the document (topics[3].readQueueNums) with line and column. Writes nothing, so read-only users may call it; not recorded in the audit log unless refused.', body: configDryRunSchema, success: json('{ status: "plan", plan: { items, notInFile, counts, planHash } }'), cluster: true },
  { method: 'post', path: '/api/config/import', tag: 'Config', summary: 'Apply an import: writes exactly the plan its dry run showed', description: 'Send the dry run\'s planHash: when the plan differs now, nothing is written and the answer is the new plan (status "changed"). Audited as config.import with every created / updated topic and group per broker, before and after.', body: configApplySchema, success: json('{ status: "applied", plan, results: [{ kind, name, brokerName, action, ok, error? }], failed } or { status: "changed", plan }'), cluster: true },
];
