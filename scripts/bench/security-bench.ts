/**
 * `npm run bench:security`: what the console's security layer costs, on real files in a temp ROCKETDECK_HOME:
 * the proxy's decision for a signed-in write (users + sessions files, 1,000 sessions), for a token call, one
 * password check (scrypt, the price of a sign-in), one audit append, and one audit query over 100,000 entries —
 * beside baselines measured in the same run (a statSync of one file, an appendFileSync of the same line, a plain
 * read + split of the same files). Not a test: nothing is asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-security-bench-'));
process.env.ROCKETDECK_HOME = home;
const env = { ROCKETDECK_CONSOLE_AUTH: 'on', ROCKETDECK_CONSOLE_HOST: '0.0.0.0' };

function perOp(runs: number, fn: () => void): number {
  fn();
  const started = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return ((performance.now() - started) * 1000) / runs; // µs
}

async function main(): Promise<void> {
  const { addUser } = await import('../../lib/server/security/users');
  const { createSession, SESSION_COOKIE } = await import('../../lib/server/security/sessions');
  const { createToken } = await import('../../lib/server/security/tokens');
  const { decide } = await import('../../lib/server/security/policy');
  const { hashPassword, verifyPassword } = await import('../../lib/server/security/password');
  const { appendAudit, auditDir, auditLine, queryAudit } = await import('../../lib/server/audit/audit-log');

  await addUser('ann', 'admin', 'bench-passphrase-1');
  let id = '';
  for (let i = 0; i < 1_000; i++) id = createSession('ann', { address: '10.0.0.1', userAgent: 'bench' }).id;
  const { secret } = createToken({ name: 'bench', role: 'admin', expiresInDays: 0 }, 'ann');
  const headers: Record<string, string> = { host: 'console:8899', origin: 'http://console:8899', cookie: `${SESSION_COOKIE}=${id}` };
  const write = { method: 'POST', pathname: '/api/topics', search: '', header: (n: string) => headers[n] ?? null };
  const tokenHeaders: Record<string, string> = { host: 'console:8899', authorization: `Bearer ${secret}` };
  const tokenCall = { method: 'GET', pathname: '/api/topics', search: '', header: (n: string) => tokenHeaders[n] ?? null };

  const sessionsFile = path.join(home, 'console', 'sessions.json');
  const statBaseline = perOp(20_000, () => fs.statSync(sessionsFile));
  const decideWrite = perOp(20_000, () => decide(write, env));
  const decideToken = perOp(20_000, () => decide(tokenCall, env));

  const hash = await hashPassword('bench-passphrase-1');
  const scryptRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await verifyPassword('bench-passphrase-1', hash);
    scryptRuns.push(performance.now() - started);
  }
  const scryptMs = scryptRuns.sort((a, b) => a - b)[2]!;

  const now = Date.now();
  const entry = (i: number) => ({ time: now + i, id: `r${i}`, who: i % 7 ? 'ann' : 'ci', kind: 'user' as const, role: 'admin', action: i % 3 ? 'topic.update' : 'offset.reset', target: `Topic${i % 500}`, method: 'POST', path: '/api/topics', status: 200, result: i % 11 ? 'ok' : 'forbidden', address: '10.0.0.1', durationMs: 3, before: { perm: 6 }, after: { perm: 4 } });
  const line = auditLine(entry(0)) + '\n';
  const baselineFile = path.join(home, 'baseline.jsonl');
  const appendBaseline = perOp(5_000, () => fs.appendFileSync(baselineFile, line));
  let n = 0;
  const append = perOp(5_000, () => appendAudit(entry(n++)));
  for (; n < 100_000; n++) appendAudit(entry(n));
  const files = fs.readdirSync(auditDir()).map((f) => path.join(auditDir(), f));
  const readBaseline = perOp(5, () => files.forEach((f) => fs.readFileSync(f, 'utf8').split('\n'))) / 1000;
  const query = perOp(5, () => queryAudit({ user: 'ci', action: 'offset', target: '', result: 'forbidden', page: 1, pageSize: 50 })) / 1000;

  const rows: [string, string, string][] = [
    ['proxy decision, signed-in write (1,000 sessions)', `${decideWrite.toFixed(1)} µs`, `statSync of one file ${statBaseline.toFixed(1)} µs`],
    ['proxy decision, bearer token read', `${decideToken.toFixed(1)} µs`, `statSync of one file ${statBaseline.toFixed(1)} µs`],
    ['password check (scrypt N=2^15, r=8, p=1)', `${scryptMs.toFixed(0)} ms`, 'the price of one sign-in, on purpose'],
    ['audit append (one line, appendFileSync)', `${append.toFixed(1)} µs`, `bare appendFileSync of the same line ${appendBaseline.toFixed(1)} µs`],
    ['audit query over 100,000 entries, filtered', `${query.toFixed(0)} ms`, `read + split of the same files ${readBaseline.toFixed(0)} ms`],
  ];
  for (const [what, value, baseline] of rows) process.stdout.write(`${what.padEnd(52)} ${value.padStart(10)}   (baseline: ${baseline})\n`);
  fs.rmSync(home, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
