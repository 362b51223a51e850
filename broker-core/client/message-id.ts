/**
 * Client-made message ids (UNIQ_KEY), built like RocketMQ's MessageClientIDSetter (protocol.md §4.6):
 * hex of [client IPv4 (4) or IPv6 (16) | pid int16 | a per-process random int32 (Java: the class loader's
 * hash) | ms since the start of the current month, local time, int32 | counter int16].
 * 32 hex characters for IPv4. The time can be read back (nearlyTimeOf) to bound a query by time.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { hostAddressBytes } from '../store/record';

/** The first non-internal IPv4 address of this machine, else 127.0.0.1 (Java picks a site-local address). */
export function localIPv4(): string {
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return '127.0.0.1';
}

function startOfMonth(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
}

export class MessageIdGenerator {
  readonly #prefix: string;
  #counter = 0;
  #monthStart = 0;
  #nextMonthStart = 0;

  constructor(clientIP = localIPv4(), pid = process.pid) {
    const ip = hostAddressBytes(clientIP);
    const fixed = Buffer.alloc(ip.length + 6);
    ip.copy(fixed, 0);
    fixed.writeInt16BE(pid & 0x7fff, ip.length);
    fixed.writeInt32BE(crypto.randomBytes(4).readInt32BE(0), ip.length + 2);
    this.#prefix = fixed.toString('hex').toUpperCase();
  }

  next(now = Date.now()): string {
    if (now >= this.#nextMonthStart || now < this.#monthStart) {
      this.#monthStart = startOfMonth(now);
      const d = new Date(this.#monthStart);
      this.#nextMonthStart = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
    }
    const tail = Buffer.alloc(6);
    tail.writeInt32BE((now - this.#monthStart) | 0, 0);
    this.#counter = (this.#counter + 1) & 0xffff;
    tail.writeUInt16BE(this.#counter, 4);
    return this.#prefix + tail.toString('hex').toUpperCase();
  }
}

/**
 * The approximate creation time of a UNIQ_KEY (the month is assumed to be the current or the previous one,
 * as RocketMQ does); null when the text is not a UNIQ_KEY.
 */
export function nearlyTimeOf(uniqKey: string, now = Date.now()): number | null {
  if (!/^[0-9A-F]+$/i.test(uniqKey) || (uniqKey.length !== 32 && uniqKey.length !== 56)) return null;
  const buf = Buffer.from(uniqKey, 'hex');
  const elapsed = buf.readInt32BE(buf.length - 6);
  const thisMonth = startOfMonth(now);
  if (thisMonth + elapsed <= now + 60_000) return thisMonth + elapsed;
  const d = new Date(thisMonth);
  return new Date(d.getFullYear(), d.getMonth() - 1, 1).getTime() + elapsed;
}
