/**
 * Users, sessions and tokens on real files in a temp ROCKETDECK_HOME: what is stored (never a clear password,
 * session id or token secret), what is refused, and how a change made by another writer is seen at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonFile } from './json-file';
import { createSession, deleteSession, deleteSessionsOf, findSession, sessionsFile } from './sessions';
import { useTempHome } from './testing';
import { createToken, findToken, listTokens, revokeToken, tokensFile } from './tokens';
import { addUser, bootstrapPasswordFile, ensureBootstrapAdmin, findUser, listUsers, removeUser, setPassword, setRole, usersFile } from './users';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('users', () => {
  useTempHome();

  it('stores a hash, never the password, in a 0600 file', async () => {
    await addUser('ann', 'admin', 'ann-secret-passphrase');
    const text = fs.readFileSync(usersFile(), 'utf8');
    expect(text).not.toContain('ann-secret-passphrase');
    expect(mode(usersFile())).toBe(0o600);
    expect(listUsers()).toEqual([expect.objectContaining({ name: 'ann', role: 'admin' })]);
    expect(listUsers()[0]).not.toHaveProperty('passwordHash');
  });

  it('refuses duplicate and malformed names, weak passwords, and leaving no admin', async () => {
    await addUser('ann', 'admin', 'ann-secret-passphrase');
    await expect(addUser('ann', 'read-only', 'another-passphrase')).rejects.toThrow(/already exists/);
    await expect(addUser('../etc', 'read-only', 'another-passphrase')).rejects.toThrow(/letters, digits/);
    await expect(addUser('bob', 'read-only', 'short')).rejects.toThrow(/at least 10/);
    expect(() => removeUser('ann')).toThrow(/last admin/);
    expect(() => setRole('ann', 'read-only')).toThrow(/last admin/);
    await addUser('bob', 'read-only', 'bob-secret-passphrase');
    setRole('bob', 'admin');
    removeUser('ann');
    expect(listUsers().map((u) => `${u.name}:${u.role}`)).toEqual(['bob:admin']);
  });

  it('sees a users file rewritten by another process at once (the CLI beside a running console)', async () => {
    await addUser('ann', 'admin', 'ann-secret-passphrase');
    expect(findUser('ann')?.role).toBe('admin');
    const raw = JSON.parse(fs.readFileSync(usersFile(), 'utf8'));
    raw.users[0].role = 'read-only';
    writeJsonFile(usersFile(), raw);
    expect(findUser('ann')?.role).toBe('read-only');
  });

  it('names the file when it is not JSON', async () => {
    fs.mkdirSync(path.dirname(usersFile()), { recursive: true });
    fs.writeFileSync(usersFile(), '{oops');
    expect(() => findUser('ann')).toThrow(/users\.json is not valid JSON/);
  });

  it('creates the first admin with a one-time password in a 0600 file, once, and forgets the file after the change', async () => {
    const file = await ensureBootstrapAdmin();
    expect(file).toBe(bootstrapPasswordFile());
    expect(mode(file!)).toBe(0o600);
    const password = fs.readFileSync(file!, 'utf8').trim();
    expect(password).toHaveLength(20);
    expect(findUser('admin')).toMatchObject({ role: 'admin', mustChangePassword: true });
    expect(await ensureBootstrapAdmin()).toBe(file); // a restart before the change: same user, same file
    expect(listUsers()).toHaveLength(1);
    await setPassword('admin', 'my-own-passphrase');
    expect(findUser('admin')?.mustChangePassword).toBeUndefined();
    expect(fs.existsSync(file!)).toBe(false);
    expect(await ensureBootstrapAdmin()).toBeNull();
  });
});

describe('sessions', () => {
  useTempHome();

  it('keeps only a hash of the id, finds live sessions, and drops expired or deleted ones', () => {
    const now = Date.now();
    const { id, expiresAt } = createSession('ann', { address: '10.0.0.1', userAgent: 'test' }, now);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(fs.readFileSync(sessionsFile(), 'utf8')).not.toContain(id);
    expect(expiresAt - now).toBe(12 * 3_600_000);
    expect(findSession(id, now + 1000)?.user).toBe('ann');
    expect(findSession(id, expiresAt)).toBeNull();
    expect(findSession(`${id}x`, now)).toBeNull();
    expect(findSession(undefined, now)).toBeNull();
    deleteSession(id);
    expect(findSession(id, now)).toBeNull();
  });

  it('ends every session of a user except the one kept', () => {
    const a = createSession('ann', { address: '', userAgent: '' });
    const b = createSession('ann', { address: '', userAgent: '' });
    const c = createSession('bob', { address: '', userAgent: '' });
    deleteSessionsOf('ann', b.id);
    expect([findSession(a.id), findSession(b.id)?.user, findSession(c.id)?.user]).toEqual([null, 'ann', 'bob']);
  });
});

describe('API tokens', () => {
  useTempHome();

  it('stores a hash of the secret, finds it by the secret, refuses it once revoked or expired', () => {
    const now = Date.now();
    const { token, secret } = createToken({ name: 'ci', role: 'read-only', expiresInDays: 1 }, 'ann', now);
    expect(secret).toMatch(/^rdk_[\w-]{43}$/);
    expect(fs.readFileSync(tokensFile(), 'utf8')).not.toContain(secret);
    expect(mode(tokensFile())).toBe(0o600);
    expect(findToken(secret, now)).toMatchObject({ ok: true, token: { name: 'ci', role: 'read-only' } });
    expect(findToken(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'), now)).toEqual({ ok: false, reason: 'unknown' });
    expect(findToken(secret, now + 86_400_000)).toEqual({ ok: false, reason: 'expired' });
    revokeToken(token.id, 'ann', now);
    expect(findToken(secret, now)).toEqual({ ok: false, reason: 'revoked' });
    expect(listTokens()[0]).toMatchObject({ revokedBy: 'ann', lastUsedAt: now });
    expect(listTokens()[0]).not.toHaveProperty('secretHash');
  });

  it('refuses a second active token with the same name, allows it after revocation', () => {
    const first = createToken({ name: 'ci', role: 'admin', expiresInDays: 0 }, 'ann');
    expect(first.token.expiresAt).toBeNull();
    expect(() => createToken({ name: 'ci', role: 'admin', expiresInDays: 0 }, 'ann')).toThrow(/already active/);
    revokeToken(first.token.id, 'ann');
    expect(createToken({ name: 'ci', role: 'admin', expiresInDays: 0 }, 'ann').token.name).toBe('ci');
    expect(() => revokeToken('0000000000000000', 'ann')).toThrow(/No token/);
  });
});
