/**
 * RocketMQ's remote address patterns (RemoteAddressStrategyFactory in apache/rocketmq 4.9), used by
 * `globalWhiteRemoteAddresses` and an account's `whiteRemoteAddress`:
 *
 *   (blank)                      matches nothing
 *   *   *.*.*.*   *:*:*:*:*:*:*:*  matches every address
 *   192.168.0.1   ::1            one address (IPv6 compared in expanded form)
 *   192.168.0.1,192.168.0.2      a comma list of addresses
 *   192.168.1.{1,2,3}            a list written as a prefix and the last part in braces
 *   192.168.0.*   192.168.*.*    a range: the parts before it exact, one part `*` (0–255) or `a-b`,
 *   192.168.1-10.*               every part after it `*`; the first part is always exact
 *   fe80::1-ff:*                 the same over the eight hexadecimal groups of an IPv6 address
 *
 * RocketMQ quietly ignores whatever follows the ranged part ("10.1-5.7.9" matches 10.3.0.0); here the parts
 * after it must be `*`, and anything else is an error naming the pattern.
 */
import net from 'node:net';
import { AclConfigError } from './acl-config-error';

export interface AddressMatcher {
  readonly pattern: string;
  matches(ip: string): boolean;
}

interface Family {
  name: 'IPv4' | 'IPv6';
  parts: number;
  radix: number;
  partMax: number;
}

const IPV4: Family = { name: 'IPv4', parts: 4, radix: 10, partMax: 255 };
const IPV6: Family = { name: 'IPv6', parts: 8, radix: 16, partMax: 0xffff };

const EVERYTHING = new Set(['*', '*.*.*.*', '*:*:*:*:*:*:*:*']);

function bad(pattern: string, why: string): AclConfigError {
  return new AclConfigError(`remote address pattern "${pattern}" ${why}`);
}

/** The address's parts as numbers (IPv4: 4, IPv6: 8 groups), or null when it is not an IP address. */
export function addressParts(ip: string): { family: Family; parts: number[] } | null {
  const address = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (net.isIPv4(address)) return { family: IPV4, parts: address.split('.').map(Number) };
  if (!net.isIPv6(address)) return null;
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -tail[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = expandDoubleColon(text, 8);
  if (!groups) return null;
  return { family: IPV6, parts: groups.map((g) => parseInt(g, 16)) };
}

/** Splits on ':' and expands one '::' so there are `count` groups; null when that cannot be done. */
function expandDoubleColon(text: string, count: number): string[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  if (halves.length === 1) return head.length === count ? head : null;
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = count - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...Array<string>(missing).fill('0'), ...tail];
}

function exactAddress(pattern: string, text: string): { family: Family; parts: number[] } {
  const parsed = addressParts(text.trim());
  if (!parsed) throw bad(pattern, `has "${text.trim()}", which is not an IPv4 or IPv6 address`);
  return parsed;
}

function sameAddress(a: { family: Family; parts: number[] }, b: { family: Family; parts: number[] }): boolean {
  return a.family === b.family && a.parts.every((part, i) => part === b.parts[i]);
}

function listMatcher(pattern: string, entries: string[]): AddressMatcher {
  const addresses = entries.map((entry) => exactAddress(pattern, entry));
  return {
    pattern,
    matches: (ip) => {
      const parsed = addressParts(ip);
      return parsed !== null && addresses.some((a) => sameAddress(a, parsed));
    },
  };
}

function parsePart(pattern: string, family: Family, text: string): number {
  const valid = family.radix === 10 ? /^\d{1,3}$/ : /^[0-9a-fA-F]{1,4}$/;
  const n = valid.test(text) ? parseInt(text, family.radix) : NaN;
  if (!(n >= 0 && n <= family.partMax)) throw bad(pattern, `has "${text}" where a number from 0 to ${family.partMax.toString(family.radix)} belongs`);
  return n;
}

function rangeMatcher(pattern: string): AddressMatcher {
  const family = pattern.includes(':') ? IPV6 : IPV4;
  const texts = family === IPV4 ? pattern.split('.') : expandDoubleColon(pattern.toLowerCase(), 8);
  if (!texts || texts.length !== family.parts) throw bad(pattern, `must have ${family.parts} parts (an ${family.name} address with * or a-b ranges)`);
  const at = texts.findIndex((t) => t === '*' || t.includes('-'));
  if (at === 0) throw bad(pattern, 'must start with an exact number (only "*" alone matches every address)');
  const head = texts.slice(0, at).map((t) => parsePart(pattern, family, t));
  let low = 0;
  let high = family.partMax;
  const ranged = texts[at]!;
  if (ranged !== '*') {
    const [from = '', to = '', extra] = ranged.split('-');
    if (extra !== undefined) throw bad(pattern, `has "${ranged}", which is not a range a-b`);
    low = parsePart(pattern, family, from);
    high = parsePart(pattern, family, to);
    if (low > high) throw bad(pattern, `has the range "${ranged}", whose start is above its end`);
  }
  if (texts.slice(at + 1).some((t) => t !== '*')) throw bad(pattern, `must have only "*" after its range part "${ranged}"`);
  return {
    pattern,
    matches: (ip) => {
      const parsed = addressParts(ip);
      if (!parsed || parsed.family !== family) return false;
      const value = parsed.parts[at]!;
      return head.every((part, i) => parsed.parts[i] === part) && value >= low && value <= high;
    },
  };
}

/** Compiles one pattern; throws AclConfigError naming the pattern when it is not one RocketMQ accepts. */
export function parseAddressPattern(input: string | null | undefined): AddressMatcher {
  const pattern = (input ?? '').trim();
  if (pattern === '') return { pattern, matches: () => false };
  if (EVERYTHING.has(pattern)) return { pattern, matches: () => true };
  if (pattern.endsWith('}')) {
    const open = pattern.lastIndexOf('{');
    const separator = pattern[open - 1];
    if (open < 1 || (separator !== '.' && separator !== ':')) throw bad(pattern, 'must be a prefix followed by {a,b,...} as its last part');
    const prefix = pattern.slice(0, open);
    const lasts = pattern.slice(open + 1, -1).split(',').map((s) => s.trim()).filter(Boolean);
    if (lasts.length === 0) throw bad(pattern, 'has an empty {} list');
    return listMatcher(pattern, lasts.map((last) => prefix + last));
  }
  if (pattern.includes(',')) return listMatcher(pattern, pattern.split(',').filter((s) => s.trim() !== ''));
  if (pattern.includes('*') || pattern.includes('-')) return rangeMatcher(pattern);
  return listMatcher(pattern, [pattern]);
}

/** The IP of an "ip:port" connection address (IPv6 addresses have colons of their own). */
export function remoteIp(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  const host = colon > 0 ? remoteAddress.slice(0, colon) : remoteAddress;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
