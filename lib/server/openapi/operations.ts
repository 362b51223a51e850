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
  producerQuerySchema,
  resendMessageSchema,
  resetOffsetSchema,
  sendMessageSchema,
  skipAccumulateSchema,
  subscriptionGroupSchema,
  updateUserSchema,
  userNameSchema,
} from '@/lib/validation';

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
  /** Success answer: status and what it holds. */
  success?: { status: number; description: string };
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
  // Cluster
  { method: 'get', path: '/api/status', tag: 'Cluster', summary: 'NameServer reachability and broker liveness', cluster: true },
  { method: 'get', path: '/api/cluster', tag: 'Cluster', summary: 'Every broker with its runtime figures', cluster: true },
  { method: 'get', path: '/api/cluster/broker', tag: 'Cluster', summary: "One broker's runtime figures or configuration", query: [brokerQuery], cluster: true },
  { method: 'get', path: '/api/dashboard', tag: 'Cluster', summary: "The collector's samples of one day: broker TPS, top topics", query: [dashboardQuerySchema] },
  { method: 'get', path: '/api/ops', tag: 'Cluster', summary: 'The NameServer list of this browser session, the default and the saved lists' },
  { method: 'post', path: '/api/ops', tag: 'Cluster', summary: 'Switch this session to a NameServer list, save or forget one, or reset', body: opsActionSchema },
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
  { method: 'get', path: '/api/producers', tag: 'Consumers', summary: "A producer group's connections on the brokers of a topic", query: [producerQuerySchema], cluster: true },
  // Messages
  { method: 'get', path: '/api/messages', tag: 'Messages', summary: 'Messages of a topic stored in [begin, end), paged; or by key', description: 'Give begin and end (ms) for a time range, or key for the index.', query: [messageQuerySchema, messageKeyQuerySchema], cluster: true },
  { method: 'get', path: '/api/messages/{id}', tag: 'Messages', summary: 'One message with all fields, properties, body and delivery per group', params: { id: messageIdSchema }, query: [messageTopic], cluster: true },
  { method: 'post', path: '/api/messages/{id}/resend', tag: 'Messages', summary: 'Ask an online client of a group to consume the message again', params: { id: messageIdSchema }, body: resendMessageSchema, cluster: true },
  { method: 'get', path: '/api/trace/{id}', tag: 'Messages', summary: 'The trace of one message as a timeline', params: { id: messageIdSchema }, query: [traceQuery], cluster: true },
];
