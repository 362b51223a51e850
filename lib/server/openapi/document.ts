/**
 * The console's OpenAPI 3.1 document, built from lib/server/openapi/operations.ts: parameters and bodies are
 * the routes' zod schemas turned into JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) by z.toJSONSchema,
 * each operation says who may call it (the proxy's policy) and the error shape every route answers.
 */
import { z } from 'zod';
import { requiredAccess } from '@/lib/server/security/policy';
import { operations, type ApiOperation } from './operations';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };

function jsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function withNotes(schema: JsonSchema, notes: Record<string, string> | undefined): JsonSchema {
  if (!notes) return schema;
  const apply = (s: JsonSchema) => {
    for (const [field, note] of Object.entries(notes)) {
      const property = s.properties?.[field];
      if (property) property.description = property.description ? `${property.description}. ${note}` : note;
    }
  };
  apply(schema);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) apply(branch);
  return schema;
}

/** Query parameters of one or more object schemas, merged. */
function queryParameters(op: ApiOperation): unknown[] {
  const schemas = (op.query ?? []).map((s) => withNotes(jsonSchema(s), op.fieldNotes));
  const names = [...new Set(schemas.flatMap((s) => Object.keys(s.properties ?? {})))];
  return names.map((name) => {
    const property = schemas.find((s) => s.properties?.[name])!.properties![name]!;
    const { description, ...schema } = property;
    return { name, in: 'query', required: schemas.every((s) => s.required?.includes(name)), ...(description ? { description } : {}), schema };
  });
}

const ACCESS_TEXT = { public: 'No sign-in needed.', 'signed-in': 'Any signed-in user or token.', admin: 'Admin role (user or token).' } as const;

function operationId(op: ApiOperation): string {
  const words = op.path.replace(/^\/api\//, '').split(/[/.{}_-]+/).filter(Boolean);
  return op.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operation(op: ApiOperation): Record<string, unknown> {
  const access = requiredAccess(op.method, op.path.replace(/\{[^}]+\}/g, 'x'));
  const media = op.success?.content ?? ['application/json'];
  const responses: Record<string, unknown> = {
    [String(op.success?.status ?? 200)]: { description: op.success?.description ?? 'OK', content: Object.fromEntries(media.map((type) => [type, type === 'application/octet-stream' ? { schema: { type: 'string', contentMediaType: type } } : { schema: {} }])) },
  };
  if (op.params || op.query || op.body) responses['400'] = errorResponse('Invalid input: `fields` holds one message per field');
  if (access !== 'public') responses['401'] = errorResponse('Not signed in, or the token is unknown, revoked or expired');
  if (access === 'admin' || op.method !== 'get') responses['403'] = errorResponse('The role may not do this, or a cross-site write was refused');
  if (op.path === '/api/auth/login') responses['429'] = errorResponse('Too many failed sign-ins (see Retry-After)');
  if (op.cluster) {
    responses['422'] = errorResponse("A broker refused: responseCode and remark are RocketMQ's");
    responses['502'] = errorResponse('The NameServer or a broker did not answer');
  }
  for (const [status, description] of Object.entries(op.errors ?? {})) responses[status] = errorResponse(description);
  const parameters = [
    ...Object.entries(op.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema) })),
    ...queryParameters(op),
  ];
  return {
    operationId: operationId(op),
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, ACCESS_TEXT[access]].filter(Boolean).join('\n\n'),
    'x-rocketdeck-access': access,
    ...(access === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: withNotes(jsonSchema(op.body), op.fieldNotes) } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operation(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rocketdeck console API',
      version: '1',
      description:
        'The JSON API behind the Rocketdeck console. Scripts authenticate with an API token (created by an admin on the Access page) sent as Authorization: Bearer <token>; browsers use the session cookie set by sign-in. Every write is recorded in the audit log with the token or user name.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token: rdk_ followed by 43 characters' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'rocketdeck-session', description: 'Set by POST /api/auth/login (http-only, SameSite=Strict)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'Stable code, e.g. invalid_input, forbidden, unauthenticated, broker_refused' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'One message per invalid field' },
                responseCode: { type: 'integer', description: "RocketMQ's response code when a broker refused" },
                remark: { type: 'string', description: "RocketMQ's remark when a broker refused" },
              },
            },
          },
        },
      },
    },
  };
}
