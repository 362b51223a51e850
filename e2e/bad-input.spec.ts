/**
 * Bad input over EVERY console API route (app/api/**), table-driven: invalid names, sizes, numbers, times and
 * JSON (not JSON, wrong types, arrays, huge strings, unicode junk, broken percent-encoding). Each must be
 * answered 4xx with the one error shape, naming the field at fault with a message, and never 5xx. The rows are
 * generated per field kind so every field of every route meets every kind of junk.
 */
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';

type Method = 'GET' | 'POST' | 'DELETE';

interface Case {
  label: string;
  method: Method;
  url: string;
  /** A JSON value to send, or `raw` text sent as is with a JSON content type. */
  body?: unknown;
  raw?: string;
  /** The field the answer must name (a key of error.fields, or a parent of one). Omitted: any field. */
  field?: string;
  status?: number;
}

const HUGE = 'x'.repeat(200_000);
const UNICODE_JUNK = ['tópico', '名前', '💥💥', 'a\u0000b', 'a\u202eb', '\ufeffname', 'e\u0301'];
const MARKUP = '<img src=x onerror=alert(1)>';

/** Values that are not a topic or group name: empty, blank, spaces, too long, unicode, markup, other JSON types. */
const badNames: [string, unknown][] = [
  ['empty', ''],
  ['blank', '   '],
  ['a space', 'a b'],
  ['a slash', 'a/b'],
  ['256 characters', 'n'.repeat(256)],
  ['200k characters', HUGE],
  ['markup', MARKUP],
  ...UNICODE_JUNK.map((junk): [string, unknown] => [`unicode ${JSON.stringify(junk)}`, junk]),
  ['a number', 42],
  ['null', null],
  ['a list', ['Topic']],
  ['an object', { name: 'Topic' }],
  ['true', true],
];

/** Values that are not a whole number in range: fractions, text, exponents past double, other JSON types. */
const badWholeNumbers: [string, unknown][] = [
  ['a fraction', 1.5],
  ['text', 'eight'],
  ['an empty string', ''],
  ['hex text', '0x10garbage'],
  ['1e400', '1e400'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['minus a billion', -1_000_000_000],
  ['10^21', 1e21],
  ['true', true],
  ['null', null],
  ['a list', [4]],
  ['an object', { n: 4 }],
];

const badTimes: [string, unknown][] = [
  ['text', 'yesterday'],
  ['an ISO date', '2026-11-25T08:00:00Z'],
  ['negative', -1],
  ['a fraction', 1.5],
  ['too far in the future', 8_640_000_000_001],
  ['1e400', '1e400'],
  ['true', true],
  ['a list', [1]],
];

/** Bodies that are not the JSON object a route reads. */
const badBodies: [string, { raw?: string; body?: unknown }][] = [
  ['not JSON', { raw: '{oops' }],
  ['an empty body', { raw: '' }],
  ['JSON null', { raw: 'null' }],
  ['a JSON list', { body: [] }],
  ['a list of objects', { body: [{ topic: 'T' }] }],
  ['a JSON string', { raw: '"topic"' }],
  ['a JSON number', { raw: '42' }],
  ['deep nesting', { raw: `${'['.repeat(5_000)}${']'.repeat(5_000)}` }],
  ['a 1 MB string', { body: 'y'.repeat(1_000_000) }],
  ['binary junk', { raw: '\u0000\u0001\u00ff\ufffd' }],
  ['unicode junk keys', { body: { '💥': 1, '\u0000': 2 } }],
];

const MSG_ID = '0123456789ABCDEF0123456789ABCDEF';
const bodyRoutes: { method: Method; url: string; valid: Record<string, unknown>; fields: Record<string, [string, unknown][]> }[] = [
  {
    method: 'POST',
    url: '/api/topics',
    valid: { topic: 'BadInputE2e', clusters: ['DefaultCluster'], readQueueNums: 4, writeQueueNums: 4, perm: 6 },
    fields: {
      topic: [...badNames, ['a system topic', 'RMQ_SYS_TRACE_TOPIC'], ['the rmq_sys_ prefix', 'rmq_sys_x'], ['128 characters', 't'.repeat(128)]],
      readQueueNums: [...badWholeNumbers, ['zero', 0], ['1025', 1025]],
      writeQueueNums: [...badWholeNumbers, ['zero', 0], ['a million', 1_000_000]],
      perm: [...badWholeNumbers, ['7', 7], ['1', 1]],
      clusters: [['a cluster that does not exist', ['NoSuchCluster']], ['a string', 'DefaultCluster'], ['a list of numbers', [1, 2]], ['null', null]],
      brokers: [['a string', 'broker-a'], ['an unknown broker', ['no-such-broker']]],
      messageType: [['an unknown type', 'URGENT'], ['a number', 3], ['lower case', 'fifo']],
    },
  },
  {
    method: 'POST',
    url: '/api/consumers',
    valid: { groupName: 'CG_bad_input_e2e', clusters: ['DefaultCluster'] },
    fields: {
      groupName: badNames,
      retryQueueNums: [...badWholeNumbers, ['65', 65]],
      retryMaxTimes: [...badWholeNumbers, ['-2', -2], ['1001', 1001]],
      brokerId: [...badWholeNumbers, ['-1', -1]],
      whichBrokerWhenConsumeSlowly: [...badWholeNumbers, ['2000', 2000]],
      consumeEnable: [['a string', 'yes'], ['a number', 1], ['null', null]],
      consumeMessageOrderly: [['a string', 'true'], ['a list', [true]]],
      clusters: [['a cluster that does not exist', ['NoSuchCluster']], ['a string', 'DefaultCluster']],
    },
  },
  {
    method: 'POST',
    url: '/api/topics/TBW102/send',
    valid: { body: 'hello', tags: 'a', keys: 'k1 k2' },
    fields: {
      body: [['empty', ''], ['a number', 5], ['null', null], ['a list', ['x']], ['over 4 MiB', 'b'.repeat(4 * 1024 * 1024 + 1)]],
      tags: [['two tags', 'a||b'], ['a space', 'a b'], ['129 characters', 't'.repeat(129)], ['a number', 7], ['a list', ['a']]],
      keys: [['513 characters', 'k'.repeat(513)], ['a number', 9], ['an object', { k: 1 }]],
      delayLevel: [...badWholeNumbers, ['19', 19], ['-1', -1]],
      properties: [
        ['a string', 'a=b'],
        ['a system property', [{ key: 'DELAY', value: '3' }]],
        ['a key with spaces', [{ key: 'a b', value: 'v' }]],
        ['a unicode key', [{ key: 'ключ', value: 'v' }]],
        ['a value over 1024 characters', [{ key: 'k', value: 'v'.repeat(1025) }]],
        ['33 properties', Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: 'v' }))],
        ['an entry that is null', [null]],
        ['an entry without a key', [{ value: 'v' }]],
      ],
    },
  },
  {
    method: 'POST',
    url: '/api/topics/TBW102/reset',
    valid: { groups: ['CG_bad_input_e2e'], timestamp: 1_700_000_000_000 },
    fields: {
      groups: [['empty', []], ['a string', 'CG'], ['101 groups', Array.from({ length: 101 }, (_, i) => `G${i}`)], ['a bad name inside', ['ok', 'bad group']], ['null', null]],
      timestamp: badTimes,
      force: [['a string', 'yes'], ['a number', 0]],
    },
  },
  {
    method: 'POST',
    url: '/api/topics/TBW102/reset?skip=1',
    valid: { groups: ['CG_bad_input_e2e'] },
    fields: { groups: [['empty', []], ['a number', 5], ['unicode names', ['名前']]] },
  },
  {
    method: 'POST',
    url: `/api/messages/${MSG_ID}/resend`,
    valid: { topic: 'TBW102', group: 'CG_bad_input_e2e' },
    fields: { topic: badNames, group: badNames, clientId: [['256 characters', 'c'.repeat(256)], ['a number', 5]] },
  },
  {
    method: 'POST',
    url: '/api/ops',
    valid: { action: 'add', namesrvAddr: '127.0.0.1:9876' },
    fields: {
      action: [['unknown', 'explode'], ['a number', 1], ['null', null]],
      namesrvAddr: [['empty', ''], ['no port', '127.0.0.1'], ['port 99999', '127.0.0.1:99999'], ['a URL', 'http://127.0.0.1:9876'], ['2000 characters', `${'h'.repeat(1990)}:9876`], ['unicode host', '名前:9876'], ['a list', ['127.0.0.1:9876']], ['a number', 9876]],
    },
  },
];

/** Path segments that are not names or ids: unicode, spaces, too long, markup, broken percent-encoding. A broken
 * %-escape is refused before routing (scripts/start.ts), so the field it names is the path. */
const badSegments: [string, string, string?][] = [
  ['a space', 'a%20b'],
  ['unicode', encodeURIComponent('tópico')],
  ['300 characters', 'p'.repeat(300)],
  ['markup', encodeURIComponent(MARKUP)],
  ['an encoded NUL', '%00'],
  ['broken percent-encoding', '%E0%A4%A', 'path'],
  ['a lone percent sign', '%', 'path'],
  ['an encoded slash', 'a%2Fb'],
];

function cases(): Case[] {
  const out: Case[] = [];
  for (const route of bodyRoutes) {
    for (const [label, junk] of badBodies) out.push({ label: `${route.method} ${route.url}: ${label}`, method: route.method, url: route.url, ...junk });
    for (const [field, values] of Object.entries(route.fields)) {
      for (const [label, value] of values) out.push({ label: `${route.method} ${route.url}: ${field} ${label}`, method: route.method, url: route.url, body: { ...route.valid, [field]: value }, field });
    }
  }
  for (const [label, segment, brokenField] of badSegments) {
    out.push({ label: `topic segment ${label} (view)`, method: 'GET', url: `/api/topics/${segment}?view=status`, field: brokenField ?? 'topic' });
    out.push({ label: `topic segment ${label} (delete)`, method: 'DELETE', url: `/api/topics/${segment}?confirm=${segment}`, field: brokenField ?? 'topic' });
    out.push({ label: `topic segment ${label} (send)`, method: 'POST', url: `/api/topics/${segment}/send`, body: { body: 'x' }, field: brokenField ?? 'topic' });
    out.push({ label: `topic segment ${label} (reset)`, method: 'POST', url: `/api/topics/${segment}/reset`, body: { groups: ['G'], timestamp: 0 }, field: brokenField ?? 'topic' });
    out.push({ label: `group segment ${label}`, method: 'GET', url: `/api/consumers/${segment}?view=detail`, field: brokenField ?? 'group' });
    out.push({ label: `group segment ${label} (delete)`, method: 'DELETE', url: `/api/consumers/${segment}?confirm=${segment}`, field: brokenField ?? 'group' });
    out.push({ label: `message id segment ${label}`, method: 'GET', url: `/api/messages/${segment}`, field: brokenField ?? 'id' });
    out.push({ label: `message id segment ${label} (resend)`, method: 'POST', url: `/api/messages/${segment}/resend`, body: { topic: 'T', group: 'G' }, field: brokenField ?? 'id' });
    out.push({ label: `trace id segment ${label}`, method: 'GET', url: `/api/trace/${segment}`, field: brokenField ?? 'id' });
  }
  const query = (label: string, url: string, field: string) => out.push({ label, method: 'GET', url, field });
  const q = encodeURIComponent;
  for (const [label, addr] of [['empty', ''], ['no port', '127.0.0.1'], ['port 0', '127.0.0.1:0'], ['port 70000', '127.0.0.1:70000'], ['unicode', '名前:10911'], ['5000 characters', `${'a'.repeat(5000)}:1`], ['not in the cluster', '192.0.2.9:10911']]) {
    query(`cluster/broker addr ${label}`, `/api/cluster/broker?addr=${q(addr)}`, 'addr');
  }
  query('cluster/broker view unknown', `/api/cluster/broker?addr=127.0.0.1:1&view=${q(MARKUP)}`, 'view');
  for (const [field, values] of Object.entries({ q: [HUGE.slice(0, 300)], system: ['2', 'yes'], sort: ['bogus', MARKUP], dir: ['up'], page: ['0', '-1', '1.5', 'abc', '1e400'], pageSize: ['0', '501', 'all'], fresh: ['yes'] })) {
    for (const value of values) query(`consumers ${field}=${value.slice(0, 20)}`, `/api/consumers?${field}=${q(value)}`, field);
  }
  query('consumer view unknown', '/api/consumers/CG_bad_input_e2e?view=everything', 'view');
  out.push({ label: 'consumer delete without confirmation', method: 'DELETE', url: '/api/consumers/CG_bad_input_e2e', field: 'confirm' });
  out.push({ label: 'consumer delete with the wrong confirmation', method: 'DELETE', url: '/api/consumers/CG_bad_input_e2e?confirm=CG_other', field: 'confirm' });
  for (const day of ['yesterday', '2026-1-1', '2026-13-01', '2026-02-30', '0000-00-00', '9999-99-99', MARKUP]) query(`dashboard day ${day}`, `/api/dashboard?day=${q(day)}`, 'day');
  const messages = (params: string) => `/api/messages?${params}`;
  for (const [label, params, field] of [
    ['no topic', 'begin=1&end=2', 'topic'],
    ['a bad topic', `topic=${q('a b')}&begin=1&end=2`, 'topic'],
    ['a unicode topic', `topic=${q('名前')}&begin=1&end=2`, 'topic'],
    ['begin text', 'topic=TBW102&begin=monday&end=2', 'begin'],
    ['begin negative', 'topic=TBW102&begin=-5&end=2', 'begin'],
    ['end past year 275760', 'topic=TBW102&begin=1&end=9000000000000000', 'end'],
    ['end before begin', 'topic=TBW102&begin=10&end=5', 'end'],
    ['page 0', 'topic=TBW102&begin=1&end=5&page=0', 'page'],
    ['page 1e400', 'topic=TBW102&begin=1&end=5&page=1e400', 'page'],
    ['page size 101', 'topic=TBW102&begin=1&end=5&pageSize=101', 'pageSize'],
    ['page size text', 'topic=TBW102&begin=1&end=5&pageSize=lots', 'pageSize'],
    ['an empty key', 'topic=TBW102&key=', 'key'],
    ['a key with spaces', `topic=TBW102&key=${q('a b')}`, 'key'],
    ['a 129-character key', `topic=TBW102&key=${'k'.repeat(129)}`, 'key'],
    ['a key without a topic', 'key=k1', 'topic'],
  ] as const) query(`messages: ${label}`, messages(params), field);
  query('message by id with a bad topic', `/api/messages/${MSG_ID}?topic=${q('a b')}`, 'topic');
  query('trace with a bad trace topic', `/api/trace/${MSG_ID}?traceTopic=${q('x y')}`, 'traceTopic');
  for (const [label, params, field] of [
    ['no group', 'topic=TBW102', 'group'],
    ['no topic', 'group=PG', 'topic'],
    ['a unicode group', `topic=TBW102&group=${q('名前')}`, 'group'],
    ['a huge topic', `topic=${'t'.repeat(300)}&group=PG`, 'topic'],
  ] as const) query(`producers: ${label}`, `/api/producers?${params}`, field);
  query('topic view unknown', '/api/topics/TBW102?view=secrets', 'view');
  out.push({ label: 'topic delete with the wrong confirmation', method: 'DELETE', url: '/api/topics/TBW102?confirm=TBW10', field: 'confirm' });
  return out;
}

async function call(request: APIRequestContext, c: Case): Promise<APIResponse> {
  if (c.raw !== undefined) return request.fetch(c.url, { method: c.method, data: c.raw, headers: { 'content-type': 'application/json' } });
  return request.fetch(c.url, { method: c.method, ...(c.body === undefined ? {} : { data: c.body }) });
}

/** The one error shape, with a field-level message, and nothing that looks like a stack trace or echoed markup. */
async function expectFieldError(response: APIResponse, c: Case): Promise<void> {
  const text = await response.text();
  const where = `${c.label} → ${response.status()} ${text.slice(0, 300)}`;
  expect(response.status(), where).toBe(c.status ?? 400);
  expect(response.headers()['content-type'] ?? '', where).toContain('application/json');
  const { error } = JSON.parse(text) as { error: { code: string; message: string; fields?: Record<string, string> } };
  expect(error.code, where).toBe('invalid_input');
  expect(typeof error.message === 'string' && error.message.length > 0, where).toBe(true);
  const fields = Object.entries(error.fields ?? {});
  expect(fields.length, where).toBeGreaterThan(0);
  for (const [, message] of fields) {
    expect(typeof message === 'string' && message.length > 0 && message.length < 400, where).toBe(true);
    expect(message, where).not.toMatch(/\bat .*\.(ts|js):\d+|TypeError|Cannot read propert/);
  }
  if (c.field) expect(fields.some(([key]) => key === c.field || key.startsWith(`${c.field}.`)), where).toBe(true);
}

test.describe('bad input over every API route', () => {
  test('names, sizes, numbers, times and JSON junk get a field-level message, never a 5xx', async ({ request }) => {
    test.setTimeout(240_000);
    const all = cases();
    expect(all.length).toBeGreaterThan(300);
    const failures: string[] = [];
    for (const c of all) {
      const response = await call(request, c);
      try {
        await expectFieldError(response, c);
      } catch (err) {
        failures.push(err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err));
      }
    }
    expect(failures, failures.slice(0, 25).join('\n\n')).toEqual([]);
  });

  test('routes without input shrug off junk query strings and methods they do not serve', async ({ request }) => {
    for (const url of ['/api/status', '/api/cluster', '/api/topics', '/api/ops', '/api/dashboard']) {
      const response = await request.get(`${url}?x=${encodeURIComponent(MARKUP)}&${'y'.repeat(2000)}=1&%E0%A4%A=2`);
      expect(response.status(), url).toBe(200);
    }
    for (const [method, url] of [['PUT', '/api/topics'], ['PATCH', '/api/consumers'], ['DELETE', '/api/status'], ['POST', '/api/cluster']] as const) {
      const response = await request.fetch(url, { method, data: { a: 1 } });
      expect(response.status(), `${method} ${url}`).toBe(405);
    }
  });
});
