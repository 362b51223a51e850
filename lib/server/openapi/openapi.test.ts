/**
 * The OpenAPI document covers the console exactly: every method exported by a route file under app/api has an
 * operation, every operation has a route, every {param} is declared, and the document is OpenAPI 3.1 shaped.
 * Adding a route without documenting it in lib/server/openapi/operations.ts fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './document';

const ROOT = path.resolve(__dirname, '../../..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx|js)$/.test(entry.name) ? [full] : [];
  });
}

/** "app/api/topics/[topic]/route.ts" exporting GET and DELETE → ["get /api/topics/{topic}", "delete /api/topics/{topic}"]. */
function routeOperations(): string[] {
  // Every route file of the console: the API and the few outside it (GET /metrics).
  return routeFiles(path.join(ROOT, 'app')).flatMap((file) => {
    const route = '/' + path.relative(path.join(ROOT, 'app'), path.dirname(file)).split(path.sep).filter((s) => !/^\(.*\)$/.test(s)).map((s) => s.replace(/^\[\.{0,3}(.+)\]$/, '{$1}')).join('/');
    const source = fs.readFileSync(file, 'utf8');
    const exported = METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?function\\s+${m}\\b|export\\s+(const|let)\\s+${m}\\b|export\\s*\\{[^}]*\\b${m}\\b`).test(source));
    expect(exported.length, `${path.relative(ROOT, file)} exports no HTTP method`).toBeGreaterThan(0);
    return exported.map((m) => `${m.toLowerCase()} ${route}`);
  });
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; operationId: string; responses: object }>> };
  const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`));

  it('documents every route under app (app/api, /metrics), and nothing else', () => {
    const routes = routeOperations();
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !documented.includes(r)), 'routes missing from lib/server/openapi/operations.ts').toEqual([]);
    expect(documented.filter((d) => !routes.includes(d)), 'documented operations without a route').toEqual([]);
  });

  it('declares every path parameter, with unique operation ids', () => {
    const ids = new Set<string>();
    for (const [p, methods] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(methods)) {
        expect((op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name).sort(), `${method} ${p}`).toEqual(names.sort());
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
      }
    }
  });

  it('is OpenAPI 3.1 with bodies and parameters generated from the zod schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    const createTopic = doc.paths['/api/topics']!.post as unknown as { requestBody: { content: { 'application/json': { schema: { properties: Record<string, Record<string, unknown>>; required: string[] } } } }; 'x-rocketdeck-access': string };
    const schema = createTopic.requestBody.content['application/json'].schema;
    expect(schema.properties.topic).toMatchObject({ type: 'string', maxLength: 127, pattern: '^[%|a-zA-Z0-9_-]+$' });
    expect(schema.properties.readQueueNums).toMatchObject({ type: 'integer', minimum: 1, maximum: 1024 });
    expect(schema.properties.perm!.description).toMatch(/2 \(write\), 4 \(read\) or 6/);
    expect(schema.required).toEqual(expect.arrayContaining(['topic', 'readQueueNums', 'writeQueueNums', 'perm']));
    expect(createTopic['x-rocketdeck-access']).toBe('admin');
    const audit = doc.paths['/api/audit']!.get!;
    expect(audit.parameters!.map((x) => x.name)).toEqual(['user', 'action', 'target', 'result', 'from', 'to', 'page', 'pageSize']);
    const messages = doc.paths['/api/messages']!.get! as unknown as { parameters: { name: string; required: boolean }[] };
    expect(messages.parameters.find((x) => x.name === 'topic')!.required).toBe(true);
    expect(messages.parameters.find((x) => x.name === 'key')!.required).toBe(false);
    expect((doc.paths['/api/auth/login']!.post as unknown as { security: unknown[] }).security).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('"$schema"');
  });

  it('states who may call the read-like POSTs and the applies they preview, with the schemas their routes parse', () => {
    type Op = { 'x-rocketdeck-access': string; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, { content?: Record<string, unknown> }> };
    const op = (method: string, p: string) => (doc.paths[p] as unknown as Record<string, Op>)[method]!;
    const access = (method: string, p: string) => op(method, p)['x-rocketdeck-access'];
    expect(access('post', '/api/explorer/scans')).toBe('signed-in');
    expect(access('delete', '/api/explorer/scans/{id}')).toBe('signed-in');
    expect(access('post', '/api/history/sparklines')).toBe('signed-in');
    expect(access('post', '/api/consumers/{group}/reset/preview')).toBe('signed-in');
    expect(access('post', '/api/config/import/dry-run')).toBe('signed-in');
    expect(access('post', '/api/consumers/{group}/reset')).toBe('admin');
    expect(access('post', '/api/config/import')).toBe('admin');
    const body = (method: string, p: string) => op(method, p).requestBody!.content['application/json']!.schema;
    expect(Object.keys(body('post', '/api/consumers/{group}/reset/preview').properties)).not.toContain('expected');
    expect(Object.keys(body('post', '/api/consumers/{group}/reset').properties)).toEqual(expect.arrayContaining(['topic', 'mode', 'expected', 'ifMoved']));
    expect(body('post', '/api/config/import').required).toEqual(expect.arrayContaining(['document', 'planHash']));
    expect(body('post', '/api/config/import/dry-run').properties).not.toHaveProperty('planHash');
    expect(Object.keys(body('post', '/api/explorer/scans').properties)).toEqual(expect.arrayContaining(['topic', 'seek', 'tag', 'json', 'maxMessages']));
    expect(Object.keys(op('get', '/api/explorer/tail').responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(Object.keys(op('get', '/api/messages/{id}/body').responses['200']!.content!)).toEqual(['application/octet-stream']);
    expect(Object.keys(op('get', '/api/config/export').responses['200']!.content!)).toEqual(['application/yaml', 'application/json']);
    expect(op('get', '/api/explorer/scans/{id}').responses).toHaveProperty('404');
    expect(op('post', '/api/explorer/scans').responses).toHaveProperty('429');
  });
});
