/** The console's server-side pieces that need no cluster: body rendering, caches, input rules (day summaries: history-store.test.ts). */
import { describe, expect, it } from 'vitest';
import { messageQuerySchema, namesrvSchema, resetOffsetSchema, sendMessageSchema, subscriptionGroupSchema } from '@/lib/validation';
import { mapLimit, TtlCache } from './concurrency';
import { renderBody } from './messages';

describe('renderBody', () => {
  it('pretty-prints JSON, keeps text as text and shows binary as hex', () => {
    expect(renderBody(Buffer.from('{"a":1,"b":[1,2]}'))).toMatchObject({ kind: 'json', pretty: '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}' });
    expect(renderBody(Buffer.from('<script>alert(1)</script>'))).toMatchObject({ kind: 'text', text: '<script>alert(1)</script>' });
    expect(renderBody(Buffer.from('{not json'))).toMatchObject({ kind: 'text' });
    expect(renderBody(Buffer.from('中文消息'))).toMatchObject({ kind: 'text', text: '中文消息', size: 12 });
    expect(renderBody(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toMatchObject({ kind: 'binary', hex: 'deadbeef', base64: '3q2+7w==' });
    expect(renderBody(Buffer.from('a\u0000b'))).toMatchObject({ kind: 'binary' });
    expect(renderBody(Buffer.alloc(0))).toMatchObject({ kind: 'empty', size: 0 });
  });

  it('names the charset, says why a body is binary, and pretty-prints JSON exactly as sent', () => {
    expect(renderBody(Buffer.from('plain'))).toMatchObject({ kind: 'text', charset: 'US-ASCII', shownBytes: 5, truncated: false });
    expect(renderBody(Buffer.from('café'))).toMatchObject({ kind: 'text', charset: 'UTF-8' });
    expect(renderBody(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toMatchObject({ kind: 'binary', binaryReason: 'invalid-utf8', hex: '636166e9', hexBytes: 4 });
    expect(renderBody(Buffer.from('a\u0007b'))).toMatchObject({ kind: 'binary', binaryReason: 'control-characters' });
    expect(renderBody(Buffer.from('x\uFFFDy'))).toMatchObject({ kind: 'text', charset: 'UTF-8' }); // a real U+FFFD is text
    expect(renderBody(Buffer.from('zz'), true)).toMatchObject({ kind: 'binary', binaryReason: 'compressed', compressedUnreadable: true });
    const exact = renderBody(Buffer.from('{"id":12345678901234567890,"a":1,"a":2,"s":"x\\u0041"}'));
    expect(exact).toMatchObject({ kind: 'json', charset: 'US-ASCII' });
    expect(exact.pretty).toBe('{\n  "id": 12345678901234567890,\n  "a": 1,\n  "a": 2,\n  "s": "x\\u0041"\n}');
    const html = renderBody(Buffer.from('<img src=x onerror=alert(1)><script>alert(2)</script>'));
    expect(html).toMatchObject({ kind: 'text', text: '<img src=x onerror=alert(1)><script>alert(2)</script>' });
  });

  it('keeps the hex of a large binary body to its first 4 KiB and says so', () => {
    const big = Buffer.alloc(10_000, 0xff);
    expect(renderBody(big)).toMatchObject({ kind: 'binary', size: 10_000, hexBytes: 4096, shownBytes: 10_000, truncated: true });
    expect(renderBody(big).hex).toHaveLength(8192);
  });

  it('says when a large body is cut, and does not call a cut multi-byte character binary', () => {
    const big = Buffer.from('é'.repeat(200_000)); // 400,000 bytes; the 256 KiB cut falls inside a character
    const rendered = renderBody(big);
    expect(rendered.kind).toBe('text');
    expect(rendered.truncated).toBe(true);
    expect(rendered.size).toBe(400_000);
    expect(rendered.text!.length).toBe(131_072);
    expect(rendered.shownBytes).toBe(262_144);
    expect(rendered.charset).toBe('UTF-8');
  });
});

describe('TtlCache and mapLimit', () => {
  it('shares one computation in flight, forgets failures, and bounds concurrency', async () => {
    const cache = new TtlCache<number>(10_000);
    let calls = 0;
    const compute = async () => ++calls;
    const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    expect(await cache.get('k', compute, { fresh: true })).toBe(2);
    await expect(cache.get('bad', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', async () => 7)).toBe(7);

    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([...Array(20).keys()], 3, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return i * 2;
    });
    expect(most).toBe(3);
    expect(out).toEqual([...Array(20).keys()].map((i) => i * 2));
  });
});

describe('console input rules', () => {
  it('says what is wrong, field by field', () => {
    const fields = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => r.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(fields(sendMessageSchema.safeParse({ body: '', tags: 'a|b', properties: [{ key: 'UNIQ_KEY', value: '' }] }))).toEqual(['tags', 'body', 'properties.0.key']);
    expect(sendMessageSchema.safeParse({ body: 'x'.repeat(4 * 1024 * 1024 + 1) }).success).toBe(false);
    expect(fields(resetOffsetSchema.safeParse({ groups: ['ok', 'bad group'], timestamp: -1 }))).toEqual(['groups.1', 'timestamp']);
    expect(fields(messageQuerySchema.safeParse({ topic: 'T', begin: 5, end: 5 }))).toEqual(['end']);
    expect(fields(subscriptionGroupSchema.safeParse({ groupName: 'G', brokers: [] }))).toEqual(['clusters']);
    expect(namesrvSchema.safeParse({ namesrvAddr: 'a:1;b' }).error?.issues[0]?.message).toBe('"b" is not a NameServer address; expected host:port, e.g. 127.0.0.1:9876');
    expect(namesrvSchema.safeParse({ namesrvAddr: ' 10.0.0.1:9876 ; 10.0.0.2:9876 ' }).success).toBe(true);
  });
});
