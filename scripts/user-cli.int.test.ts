/**
 * `rocketdeck user ...` as a real process: a password from stdin (first line) or ROCKETDECK_USER_PASSWORD,
 * never echoed or stored in clear; roles, removal, refusals with exit codes; the file a console reads.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rocketdeck.mjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-user-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function user(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'user', ...args], { env: { ...process.env, ROCKETDECK_HOME: home, ROCKETDECK_USER_PASSWORD: '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.stdin ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rocketdeck user', () => {
  const users = () => JSON.parse(fs.readFileSync(path.join(home, 'console', 'users.json'), 'utf8')).users as { name: string; role: string; passwordHash: string }[];

  it('adds users with the password from stdin or the environment, stored only as scrypt hashes', async () => {
    const fromStdin = await user(['add', 'ann', '--role', 'admin'], { stdin: 'first-long-passphrase\nfirst-long-passphrase\n' });
    expect(fromStdin).toMatchObject({ code: 0, stdout: expect.stringContaining('Added admin user "ann"') });
    const fromEnv = await user(['add', 'rita', '--role', 'read-only'], { env: { ROCKETDECK_USER_PASSWORD: 'second-long-passphrase' } });
    expect(fromEnv.code).toBe(0);
    expect(users().map((u) => [u.name, u.role])).toEqual([['ann', 'admin'], ['rita', 'read-only']]);
    const file = fs.readFileSync(path.join(home, 'console', 'users.json'), 'utf8');
    expect(file).not.toContain('passphrase');
    expect(users()[0]!.passwordHash).toMatch(/^scrypt\$/);
    expect(fromStdin.stdout + fromStdin.stderr).not.toContain('first-long-passphrase');
    const list = await user(['list']);
    expect(list.stdout).toMatch(/ann\s+admin/);
    expect(list.stdout).toMatch(/rita\s+read-only/);
  });

  it('refuses bad input with a message and a non-zero exit', async () => {
    expect(await user(['add', 'bob'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--role admin or --role read-only') });
    expect(await user(['add', 'bob', '--role', 'root'])).toMatchObject({ code: 2 });
    expect(await user(['add', 'bob', '--role', 'read-only'], { stdin: 'short\nshort\n' })).toMatchObject({ code: 1, stderr: expect.stringContaining('at least 10') });
    expect(await user(['add', 'bob', '--role', 'read-only'], { stdin: 'one-long-passphrase\nanother-passphrase\n' })).toMatchObject({ code: 1, stderr: expect.stringContaining('differ') });
    expect(await user(['add', 'ann', '--role', 'admin'], { env: { ROCKETDECK_USER_PASSWORD: 'yet-another-passphrase' } })).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
    expect(await user(['remove', 'ann'])).toMatchObject({ code: 1, stderr: expect.stringContaining('last admin') });
  });

  it('changes roles and passwords, and removes users', async () => {
    const before = users().find((u) => u.name === 'rita')!.passwordHash;
    expect((await user(['passwd', 'rita'], { env: { ROCKETDECK_USER_PASSWORD: 'rita-new-passphrase' } })).code).toBe(0);
    expect(users().find((u) => u.name === 'rita')!.passwordHash).not.toBe(before);
    expect((await user(['role', 'rita', 'admin'])).code).toBe(0);
    expect((await user(['remove', 'ann'])).code).toBe(0);
    expect(users().map((u) => [u.name, u.role])).toEqual([['rita', 'admin']]);
  });
});
