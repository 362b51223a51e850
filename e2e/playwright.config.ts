import { defineConfig, devices } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Browser tests: Debian's Chromium against the real product started on its own ports, beside any live instance.
 * The web server is `scripts/start.ts` (NameServer + Broker + console in one process) with a fresh data folder.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// E2E_PORT_OFFSET shifts them all, so two checkouts can run their browser tests side by side.
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0) || 0;
export const E2E_PORTS = { console: 18899 + offset, namesrv: 29876 + offset, broker: 30911 + offset, authConsole: 18889 + offset, grpc: 31081 + offset } as const;
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${E2E_PORTS.console}`;
const home = process.env.E2E_ROCKETDECK_HOME ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-e2e-'));
process.env.E2E_NAMESRV_ADDR = `127.0.0.1:${E2E_PORTS.namesrv}`;
process.env.E2E_GRPC_ENDPOINT = `127.0.0.1:${E2E_PORTS.grpc}`;
// A second console with sign-in on (e2e/auth.spec.ts): the console alone on the first one's cluster, its own
// data folder, started after the first (same build). Set once in the runner; workers inherit the variables.
process.env.E2E_AUTH_HOME ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-e2e-auth-'));
if (!process.env.E2E_BASE_URL) process.env.E2E_AUTH_BASE_URL ??= `http://127.0.0.1:${E2E_PORTS.authConsole}`;
const authConsoleServer = {
  command: `node ${path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')} ${path.join(ROOT, 'scripts', 'start.ts')}`,
  cwd: ROOT,
  url: `${process.env.E2E_AUTH_BASE_URL}/api/auth/session`,
  timeout: 240_000,
  reuseExistingServer: false,
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
  env: {
    ...(process.env as Record<string, string>),
    NAMESRV_ADDR: `127.0.0.1:${E2E_PORTS.namesrv}`,
    ROCKETDECK_EMBEDDED: '',
    ROCKETDECK_HOME: process.env.E2E_AUTH_HOME,
    PORT: String(E2E_PORTS.authConsole),
    HOST: '127.0.0.1',
    ROCKETDECK_CONSOLE_AUTH: 'on',
    // Its own collector, so a read-only user there sees history charts and sparklines (e2e/auth.spec.ts).
    ROCKETDECK_METRICS: 'on',
    ROCKETDECK_METRICS_INTERVAL_MS: '2000',
  },
};

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: path.join(ROOT, 'test-results'),
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : [{
        command: `node ${path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')} ${path.join(ROOT, 'scripts', 'start.ts')}`,
        cwd: ROOT,
        url: `${baseURL}/api/status`,
        timeout: 240_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        env: {
          ...(process.env as Record<string, string>),
          NAMESRV_ADDR: '',
          ROCKETDECK_HOME: home,
          NAMESRV_PORT: String(E2E_PORTS.namesrv),
          BROKER_PORT: String(E2E_PORTS.broker),
          BROKER_FAST_PORT: 'off',
          GRPC_PORT: String(E2E_PORTS.grpc),
          PORT: String(E2E_PORTS.console),
          HOST: '127.0.0.1',
          BROKER_IP1: '127.0.0.1',
          ROCKETDECK_METRICS_INTERVAL_MS: '2000',
        },
      }, authConsoleServer],
});
