/** Reading an import document: JSON and YAML alike, and every error named by its place in the document. */
import { describe, expect, it } from 'vitest';
import { formatDocument, parseConfig, pathText } from './config-io';

const fieldsOf = (text: string) => {
  const parsed = parseConfig(text);
  return parsed.ok ? {} : parsed.fields;
};

describe('parseConfig', () => {
  it('reads YAML and JSON into the same document, with defaults for missing lists', () => {
    const yaml = parseConfig('topics:\n  - name: Orders\n    readQueueNums: 4\n');
    const json = parseConfig('{"topics": [{"name": "Orders", "readQueueNums": 4}]}');
    expect(yaml).toEqual({ ok: true, document: { topics: [{ name: 'Orders', readQueueNums: 4 }], groups: [] } });
    expect(json).toEqual(yaml);
  });

  it('names each bad field by its path, with line and column', () => {
    const text = [
      'version: 1',
      'topics:',
      '  - name: Good',
      '  - name: "bad name"',
      '    readQueueNums: 2000',
      '    perm: 7',
      '  - name: Typo',
      '    readQueues: 4',
      'groups:',
      '  - name: G1',
      '    retryMaxTimes: lots',
      '    consumeEnable: "yes"',
      '',
    ].join('\n');
    expect(fieldsOf(text)).toEqual({
      'topics[1].name': 'Use only letters, digits, %, |, - and _ (line 4, column 11)',
      'topics[1].readQueueNums': 'Read queues must be at most 1024 (line 5, column 20)',
      'topics[1].perm': 'Permission is 2 (write), 4 (read) or 6 (read + write) (line 6, column 11)',
      'topics[2].readQueues': 'Unknown field "readQueues" (known: name, readQueueNums, writeQueueNums, perm, order, messageType, brokers) (line 8, column 5)',
      'groups[0].retryMaxTimes': 'Max retries must be a number (line 11, column 20)',
      'groups[0].consumeEnable': 'consumeEnable is true or false (line 12, column 20)',
    });
  });

  it('reports JSON the same way, and a syntax error with its line', () => {
    expect(fieldsOf('{\n  "topics": [\n    {"name": "A", "writeQueueNums": 0}\n  ]\n}')).toEqual({ 'topics[0].writeQueueNums': 'Write queues must be at least 1 (line 3, column 37)' });
    expect(fieldsOf('{\n  "topics": [\n    {"name": "A",\n')).toMatchObject({ document: expect.stringMatching(/^Not valid JSON or YAML at line \d+, column \d+/) });
    expect(fieldsOf('topics:\n  - name: A\n  name: B\n')).toMatchObject({ document: expect.stringContaining('line 3') });
    expect(fieldsOf('- just\n- a list\n')).toEqual({ document: 'The document is a mapping with topics: and groups: lists (line 1, column 1)' });
    expect(fieldsOf('  ')).toEqual({ document: 'Paste or upload a JSON or YAML document' });
    expect(fieldsOf('topics: {}')).toEqual({ topics: 'topics is a list (line 1, column 9)' });
    expect(fieldsOf('oops: 1')).toEqual({ oops: 'Unknown field "oops" (known: version, topics, groups) (line 1, column 1)' });
  });

  it('refuses the same topic twice for a broker, and system-made names', () => {
    const text = 'topics:\n  - name: A\n    brokers: [broker-a]\n  - name: A\n    brokers: [broker-b]\n  - name: A\n  - name: "%RETRY%G"\n  - name: TBW102\n';
    expect(fieldsOf(text)).toEqual({
      'topics[3].name': 'Retry and dead-letter topics are made by the broker (line 7, column 11)',
      'topics[4].name': 'This name is reserved for a system topic (line 8, column 11)',
    });
    expect(fieldsOf('topics:\n  - name: A\n    brokers: [broker-a]\n  - name: A\n    brokers: [broker-b]\n  - name: A\n')).toEqual({ 'topics[2].name': '"A" is already given at topics[0] (line 6, column 11)' });
    expect(fieldsOf('groups:\n  - name: G\n  - name: G\n    brokers: [broker-a]\n')).toEqual({ 'groups[1].name': '"G" is already given at groups[0] for broker broker-a (line 3, column 11)' });
  });

  it('writes paths as people read them, and documents that read back', () => {
    expect(pathText(['topics', 3, 'readQueueNums'])).toBe('topics[3].readQueueNums');
    expect(pathText(['topics', 3, 'brokers', 0])).toBe('topics[3].brokers[0]');
    expect(pathText([])).toBe('_');
    const document = { version: 1, topics: [{ name: 'A', readQueueNums: 2, writeQueueNums: 2, perm: 6, order: false, messageType: 'NORMAL', brokers: ['broker-a'] }], groups: [] };
    for (const format of ['json', 'yaml'] as const) {
      const parsed = parseConfig(formatDocument(document, format));
      expect(parsed.ok && parsed.document.topics).toEqual(document.topics);
    }
  });
});
