/** The payload viewer's exact JSON views: the pretty print and the tree keep what JSON.parse would lose. */
import { describe, expect, it } from 'vitest';
import { countJsonNodes, JSON_TREE_DEPTH_MAX, parseJsonTree, prettyJson } from './json-view';

describe('prettyJson', () => {
  it('re-indents tokens without changing them', () => {
    expect(prettyJson('{"a":[1,2,{"b":null}],"c":{},"d":[],"e":"x, y: {z}"}')).toBe(
      '{\n  "a": [\n    1,\n    2,\n    {\n      "b": null\n    }\n  ],\n  "c": {},\n  "d": [],\n  "e": "x, y: {z}"\n}',
    );
    expect(prettyJson('[ 12345678901234567890 , 1.50 , -0 ]')).toBe('[\n  12345678901234567890,\n  1.50,\n  -0\n]');
    expect(prettyJson('{"q":"say \\"hi\\" \\\\","n":1}')).toBe('{\n  "q": "say \\"hi\\" \\\\",\n  "n": 1\n}');
    expect(prettyJson('"just a string"')).toBe('"just a string"');
  });

  it('agrees with JSON.parse on every value it can represent', () => {
    const value = { a: [1, { b: 'c', d: [true, false, null] }], e: 'ü \u2028 \\ "', f: 1e21 };
    expect(JSON.parse(prettyJson(JSON.stringify(value)))).toEqual(value);
  });
});

describe('parseJsonTree', () => {
  it('keeps numbers as their text and every key in order, duplicates included', () => {
    expect(parseJsonTree('{"id":12345678901234567890,"a":1,"a":[true,null,"x"]}')).toEqual({
      t: 'object',
      entries: [
        ['id', { t: 'number', v: '12345678901234567890' }],
        ['a', { t: 'number', v: '1' }],
        ['a', { t: 'array', items: [{ t: 'boolean', v: true }, { t: 'null' }, { t: 'string', v: 'x' }] }],
      ],
    });
    expect(parseJsonTree(' [ ] ')).toEqual({ t: 'array', items: [] });
    expect(parseJsonTree('{"k\\u0041":"\\n"}')).toEqual({ t: 'object', entries: [['kA', { t: 'string', v: '\n' }]] });
  });

  it('gives up on bodies nested deeper than its limit instead of overflowing the stack', () => {
    const deep = '['.repeat(JSON_TREE_DEPTH_MAX + 10) + ']'.repeat(JSON_TREE_DEPTH_MAX + 10);
    expect(parseJsonTree(deep)).toBeNull();
    expect(parseJsonTree('['.repeat(10) + ']'.repeat(10))).not.toBeNull();
  });

  it('counts nodes up to a bound', () => {
    const tree = parseJsonTree(JSON.stringify({ a: [1, 2, 3], b: { c: 'd' } }))!;
    expect(countJsonNodes(tree)).toBe(7);
    expect(countJsonNodes(tree, 3)).toBe(3);
  });
});

describe('system properties', () => {
  it('explains every system property in both languages', async () => {
    const { SYSTEM_PROPERTY_KEYS } = await import('./system-properties');
    const { en, zh } = await import('@/lib/messages/explorer');
    for (const name of SYSTEM_PROPERTY_KEYS) {
      expect(en, name).toHaveProperty([`explorer.prop.${name}`]);
      expect(zh, name).toHaveProperty([`explorer.prop.${name}`]);
    }
    for (const name of ['UNIQ_KEY', 'KEYS', 'TAGS', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC', 'REAL_QID', 'TRAN_MSG', 'PGROUP', 'MAX_OFFSET', 'MIN_OFFSET', 'CONSUME_START_TIME', 'WAIT', 'ORIGIN_MESSAGE_ID', 'RECONSUME_TIME', 'TRACE_ON', 'MSG_REGION', 'CLUSTER']) {
      expect(SYSTEM_PROPERTY_KEYS).toContain(name);
    }
  });
});
