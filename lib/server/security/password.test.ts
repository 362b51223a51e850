/** Password hashes: scrypt with a salt per hash, checked timing-safely; rules for new passwords. */
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from './password';

describe('password hashes', () => {
  it('verifies the right password only, and salts every hash', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses stored values it cannot read instead of throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$8$1$x$y', 'bcrypt$a$b$c$d$e', 'scrypt$99999999$8$1$c2FsdHNhbHQ$aGFzaA', 'scrypt$32768$8$1$c2FsdHNhbHQ$c2hvcnQ']) {
      expect(await verifyPassword('anything', stored), stored).toBe(false);
    }
  });

  it('states why a new password is refused', () => {
    expect(passwordProblem('short', 'ann')).toMatch(/at least 10/);
    expect(passwordProblem('x'.repeat(257), 'ann')).toMatch(/at most 256/);
    expect(passwordProblem('Administrator', 'administrator')).toMatch(/user name/);
    expect(passwordProblem('aaaaaaaaaaaa', 'ann')).toMatch(/predictable/);
    expect(passwordProblem('long enough phrase', 'ann')).toBeNull();
    expect(passwordProblem(randomPassword(), 'admin')).toBeNull();
  });
});
