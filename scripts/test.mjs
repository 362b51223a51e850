#!/usr/bin/env node
/**
 * `npm test`: every test, in tiers.
 *   1. Debian's Chromium for the browser tests (installed with apt-get when running as root; Playwright's
 *      own browser download cannot work here).
 *   2. vitest: unit then integration tests (real TCP, real files, real third-party clients).
 *   3. the console build, then Playwright in Chromium against a real broker started on test ports.
 * Exits non-zero when any tier fails. `npm test -- --skip-e2e` skips tier 3 (local use only).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const args = new Set(process.argv.slice(2));

function run(title, command, commandArgs, extraEnv = {}) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  process.stdout.write(`=== ${title}: ${ok ? 'passed' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds} s ===\n`);
  return ok;
}

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    process.stderr.write(`Chromium is missing at ${CHROMIUM}. Install Debian's package as root: apt-get update && apt-get install -y chromium\n`);
    return false;
  }
  process.stdout.write(`Chromium is missing at ${CHROMIUM}: installing Debian's chromium package ...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (!install || install.status !== 0 || !fs.existsSync(CHROMIUM)) {
    process.stderr.write('Could not install chromium with apt-get; the browser tests cannot run.\n');
    return false;
  }
  return true;
}

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
const results = [];
const skipE2e = args.has('--skip-e2e');

const chromiumReady = skipE2e || ensureChromium();
results.push(['unit tests', run('unit tests (vitest)', bin('vitest'), ['run', '--project', 'unit'])]);
results.push(['integration tests', run('integration tests (vitest)', bin('vitest'), ['run', '--project', 'int'])]);
if (!skipE2e) {
  if (!chromiumReady) {
    results.push(['browser tests', false]);
  } else {
    const built = run('console build (next build)', process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
      NEXT_TELEMETRY_DISABLED: '1',
    });
    results.push(['console build', built]);
    if (built) results.push(['browser tests', run('browser tests (Playwright, Chromium)', bin('playwright'), ['test', '-c', 'e2e'])]);
  }
}

const failed = results.filter(([, ok]) => !ok);
process.stdout.write('\n=== summary ===\n');
for (const [name, ok] of results) process.stdout.write(`${ok ? 'passed' : 'FAILED'}  ${name}\n`);
process.exit(failed.length === 0 ? 0 : 1);
