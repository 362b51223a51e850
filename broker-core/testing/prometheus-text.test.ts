/** The strict Prometheus text reader the metrics tests scrape with: it accepts what Prometheus accepts, refuses the rest. */
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text';

const GOOD = [
  '# HELP rocketmq_messages_in_total Messages in',
  '# TYPE rocketmq_messages_in_total counter',
  'rocketmq_messages_in_total{topic="a",node_id="b-1"} 3',
  'rocketmq_messages_in_total{topic="we\\"ird\\\\",node_id="b-1"} 4',
  '# TYPE lat histogram',
  'lat_bucket{le="1"} 1',
  'lat_bucket{le="+Inf"} 2',
  'lat_sum 3.5',
  'lat_count 2',
  '# TYPE lag gauge',
  'lag Nan',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads families, escaped labels, histograms and NaN in any case', () => {
    const families = parsePrometheusText(GOOD);
    expect([...families.keys()]).toEqual(['rocketmq_messages_in_total', 'lat', 'lag']);
    expect(sampleValue(families, 'rocketmq_messages_in_total', { topic: 'we"ird\\' })).toBe(4);
    expect(sampleValue(families, 'rocketmq_messages_in_total', { node_id: 'b-1' })).toBe(7);
    expect(sampleValue(families, 'lat', {}, '_count')).toBe(2);
    expect(sampleValue(families, 'lag')).toBeNaN();
    expect(sampleValue(families, 'nothing')).toBeUndefined();
  });

  it.each([
    ['a family declared twice', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 2\n', 'declared again'],
    ['a sample outside its family', '# TYPE a gauge\nb 1\n', 'outside its family'],
    ['TYPE after samples', '# TYPE a gauge\na 1\n# TYPE a counter\n', 'after its samples'],
    ['a value that is no number', '# TYPE a gauge\na one\n', 'is not a number'],
    ['an unquoted label', '# TYPE a gauge\na{x=1} 1\n', 'not quoted'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 1\n', 'no +Inf bucket'],
  ])('refuses %s', (_, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
