import { describe, expect, it } from 'vitest';
import { parseAddressPattern, remoteIp } from './remote-address';

const cases: [pattern: string, matching: string[], notMatching: string[]][] = [
  ['', [], ['127.0.0.1', '::1']],
  ['*', ['127.0.0.1', '10.1.2.3', '::1'], []],
  ['*.*.*.*', ['192.168.7.9'], []],
  ['127.0.0.1', ['127.0.0.1', '::ffff:127.0.0.1'], ['127.0.0.2', '::1']],
  ['192.168.0.1, 192.168.0.2', ['192.168.0.1', '192.168.0.2'], ['192.168.0.3']],
  ['192.168.1.{1,2,30}', ['192.168.1.1', '192.168.1.30'], ['192.168.1.3', '192.168.2.1']],
  ['192.168.0.*', ['192.168.0.0', '192.168.0.255'], ['192.168.1.1', '127.0.0.1']],
  ['192.168.*.*', ['192.168.44.2'], ['192.169.0.1']],
  ['192.168.1-10.*', ['192.168.1.0', '192.168.5.77', '192.168.10.255'], ['192.168.0.9', '192.168.11.1', '127.0.0.1']],
  ['10.*.*.*', ['10.0.0.1', '10.255.3.4'], ['11.0.0.1']],
  ['10.0.0.100-200', ['10.0.0.100', '10.0.0.200'], ['10.0.0.99', '10.0.0.201']],
  ['::1', ['::1', '0:0:0:0:0:0:0:1'], ['::2', '127.0.0.1']],
  ['fe80:0:0:0:0:0:1-ff:*', ['fe80::5:9', 'FE80::ff:0'], ['fe80::100:1', 'fe81::5:9']],
];

describe('RocketMQ remote address patterns', () => {
  it.each(cases)('"%s" matches what it should and nothing else', (pattern, matching, notMatching) => {
    const matcher = parseAddressPattern(pattern);
    for (const ip of matching) expect(matcher.matches(ip), `${pattern} ~ ${ip}`).toBe(true);
    for (const ip of notMatching) expect(matcher.matches(ip), `${pattern} !~ ${ip}`).toBe(false);
  });

  it.each([
    ['192.168.0.256', /not an IPv4 or IPv6 address/],
    ['hello', /not an IPv4 or IPv6 address/],
    ['192.168.1.1,localhost', /"localhost", which is not an IPv4/],
    ['*.168.0.1', /must start with an exact number/],
    ['192.168.10-1.*', /start is above its end/],
    ['192.168.1-300.*', /"300" where a number from 0 to 255/],
    ['192.168.1-10.5', /only "\*" after its range part/],
    ['192.168.*', /must have 4 parts/],
    ['192.168.1.{}', /empty \{\} list/],
    ['{1,2}', /prefix followed by/],
  ])('rejects "%s" with a message naming it', (pattern, message) => {
    expect(() => parseAddressPattern(pattern)).toThrow(message);
    expect(() => parseAddressPattern(pattern)).toThrow(`"${pattern}"`);
  });

  it('reads the IP of a connection address', () => {
    expect(remoteIp('127.0.0.1:54321')).toBe('127.0.0.1');
    expect(remoteIp('::1:54321')).toBe('::1');
    expect(remoteIp('[fe80::1]:10911')).toBe('fe80::1');
  });
});
