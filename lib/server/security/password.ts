/**
 * Password hashes: scrypt (node:crypto) with a random 16-byte salt per user, parameters stored beside the hash
 * so they can be raised later without locking anyone out; checked with a timing-safe comparison.
 * Stored form: "scrypt$N$r$p$<salt base64url>$<hash base64url>".
 */
import crypto from 'node:crypto';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN } from './limits';

/** N = 2^15, r = 8, p = 1: about 30–100 ms and 32 MiB per check on a small server, the cost is the point. */
const SCRYPT = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAXMEM = 128 * SCRYPT.N * SCRYPT.r * 2;

function scrypt(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...params, maxmem: Math.max(MAXMEM, 128 * params.N * params.r * 2) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or a stored value it cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || expected.length !== KEY_BYTES) return false;
  const actual = await scrypt(password, salt, { N, r, p });
  return crypto.timingSafeEqual(actual, expected);
}

/** A hash of a random password, checked instead when the user does not exist, so both answers take as long. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(18).toString('base64url'));
  return dummyHash;
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, userName: string): string | null {
  if (typeof password !== 'string' || password.length < PASSWORD_LENGTH_MIN) return `A password has at least ${PASSWORD_LENGTH_MIN} characters`;
  if (password.length > PASSWORD_LENGTH_MAX) return `A password has at most ${PASSWORD_LENGTH_MAX} characters`;
  if (password.trim().toLowerCase() === userName.trim().toLowerCase()) return 'The password must not be the user name';
  if (new Set(password).size < 4) return 'The password repeats too few characters; choose a less predictable one';
  return null;
}

/** A random password for the first admin: 20 characters of base64url (120 bits). */
export function randomPassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}
