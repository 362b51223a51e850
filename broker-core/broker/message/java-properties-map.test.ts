import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JavaPropertiesMap } from './java-properties-map';
import { batchedMessageProperties, sendProperties } from './reput-properties';

/**
 * Histories run through rocketmq-common 4.9.4 itself: MessageDecoder.string2messageProperties(init), then the
 * puts and removes on that HashMap, then messageProperties2String. Up to 30 entries, so tables of 16, 32 and 64.
 */
const CASES = JSON.parse(readFileSync(new URL('./__fixtures__/properties-map.java-4.9.4.cases.json', import.meta.url), 'utf8')) as {
  init: string;
  ops: (['put', string, string] | ['remove', string])[];
  java: string;
}[];

describe('JavaPropertiesMap writes properties in java.util.HashMap order', () => {
  it.each(CASES.map((c, i) => [i, c] as const))('history %i', (_, c) => {
    const map = JavaPropertiesMap.parse(c.init);
    for (const op of c.ops) {
      if (op[0] === 'put') map.put(op[1], op[2]);
      else map.remove(op[1]);
    }
    expect(map.toPropertiesString()).toBe(c.java);
  });

  it('grows at 13 and 25 entries and never shrinks', () => {
    const map = new JavaPropertiesMap();
    for (let i = 0; i < 12; i++) map.put(`k${i}`, 'v');
    expect(map.capacity).toBe(16);
    map.put('k12', 'v');
    expect(map.capacity).toBe(32);
    for (let i = 13; i < 25; i++) map.put(`k${i}`, 'v');
    expect(map.capacity).toBe(64);
    for (let i = 0; i < 25; i++) map.remove(`k${i}`);
    expect(map.capacity).toBe(64);
  });

  it('reads as string2messageProperties: pieces without a name or a value are skipped', () => {
    expect(JavaPropertiesMap.parse('a\u0001\u0002\u00011\u0002b\u00012\u0002').toRecord()).toEqual({ b: '2' });
  });

  it('stores a quickstart send as the Java broker: 214 bytes of record, not 215', () => {
    const { stored, map } = sendProperties('UNIQ_KEY\u0001FD00000000000000000000000000000266305FFD2B27768E3E520000\u0002WAIT\u0001true\u0002TAGS\u0001TagA', 'DefaultCluster');
    expect(stored).toBe('UNIQ_KEY\u0001FD00000000000000000000000000000266305FFD2B27768E3E520000\u0002CLUSTER\u0001DefaultCluster\u0002TAGS\u0001TagA');
    expect(map.get('WAIT')).toBe('true');
    expect(batchedMessageProperties('a\u00011\u0002', 'CLUSTER\u0001x')).toBe('a\u00011\u0002CLUSTER\u0001x');
    expect(batchedMessageProperties('a\u00011', 'CLUSTER\u0001x')).toBe('a\u00011\u0002CLUSTER\u0001x');
  });
});
