/**
 * The console's first build, without leaving anyone in front of a silent terminal or a refused port:
 *   - `runConsoleBuild` runs `next build` as a child process (never blocking this process, whose embedded
 *     NameServer and Broker keep answering), prints its lines prefixed with "build |" and, while Next says
 *     nothing (its compile step is silent for minutes when stdout is not a terminal), a line every
 *     CONSOLE_BUILD_HEARTBEAT_MS with the time spent;
 *   - `placeholderHandler` answers on the console port meanwhile: pages get a page that says the console is
 *     being built (with the build's progress, reloading itself), API calls and /metrics a 503 with Retry-After,
 *     /favicon.ico the icon.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/** How often a silent build says it is still running. */
export const CONSOLE_BUILD_HEARTBEAT_MS = 15_000;
/** Build output lines the placeholder page shows (the newest). */
const LINES_SHOWN_MAX = 12;

/** The build ran and failed: its message holds the last lines (printed without a stack). */
export class ConsoleBuildError extends Error {
  override name = 'ConsoleBuildError';
}

export interface BuildProgress {
  startedAt: number;
  /** The newest lines of the build's output (no colour codes). */
  lines: string[];
  /** The last line that says which step Next is in. */
  step: string;
  state: 'building' | 'failed' | 'done';
}

export interface ConsoleBuild {
  progress: BuildProgress;
  /** Resolves when the build succeeded; rejects with the last lines when it failed. */
  finished: Promise<void>;
  /** Stops the build (shutdown while building). */
  kill(): void;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function runConsoleBuild(options: { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WritableStream; heartbeatMs?: number }): ConsoleBuild {
  const progress: BuildProgress = { startedAt: Date.now(), lines: [], step: 'starting next build', state: 'building' };
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let lastOutput = Date.now();
  const seconds = () => Math.round((Date.now() - progress.startedAt) / 1000);
  const onText = (() => {
    let partial = '';
    return (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split(/\r?\n|\r/);
      partial = parts.pop() ?? '';
      for (const raw of parts) {
        const line = raw.replace(ANSI, '').trimEnd();
        if (!line.trim()) continue;
        lastOutput = Date.now();
        progress.lines.push(line);
        if (progress.lines.length > LINES_SHOWN_MAX) progress.lines.shift();
        if (/^\s*[✓○ƒ▲]?\s*(Creating|Compiled|Running|Finished TypeScript|Collecting|Generating|Finalizing|Linting)/.test(line)) progress.step = line.trim();
        options.out.write(`  build | ${line}\n`);
      }
    };
  })();
  child.stdout.on('data', onText);
  child.stderr.on('data', onText);
  const heartbeat = setInterval(() => {
    if (Date.now() - lastOutput < (options.heartbeatMs ?? CONSOLE_BUILD_HEARTBEAT_MS)) return;
    lastOutput = Date.now();
    options.out.write(`  build | still building (${seconds()} s): ${progress.step}\n`);
  }, Math.min(1_000, options.heartbeatMs ?? CONSOLE_BUILD_HEARTBEAT_MS));
  heartbeat.unref();
  const finished = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(heartbeat);
      progress.state = 'failed';
      reject(new ConsoleBuildError(`console build could not start: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) {
        progress.state = 'done';
        progress.step = `built in ${seconds()} s`;
        resolve();
      } else {
        progress.state = 'failed';
        reject(new ConsoleBuildError(`console build failed (next build exited with ${code ?? signal}); its last lines:\n${progress.lines.map((l) => `  ${l}`).join('\n')}`));
      }
    });
  });
  return { progress, finished, kill: () => void child.kill('SIGTERM') };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function placeholderPage(progress: BuildProgress, services: string[]): string {
  const elapsed = Math.round((Date.now() - progress.startedAt) / 1000);
  const failed = progress.state === 'failed';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${failed ? '' : '<meta http-equiv="refresh" content="3">'}<title>Rocketdeck: building the console</title><link rel="icon" href="/favicon.ico">
<style>
:root{color-scheme:light dark;--bg:#f8fafc;--fg:#0f172a;--muted:#475569;--card:#fff;--line:#e2e8f0}
@media (prefers-color-scheme:dark){:root{--bg:#020617;--fg:#f1f5f9;--muted:#94a3b8;--card:#0f172a;--line:#1e293b}}
body{margin:0;font:15px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:44rem;margin:0 auto;padding:3rem 1rem}
h1{font-size:1.4rem;margin:0 0 .5rem;display:flex;align-items:center;gap:.5rem}
.mark{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;background:#f97316}
p{color:var(--muted);margin:.4rem 0}
pre{background:var(--card);border:1px solid var(--line);border-radius:.4rem;padding:.8rem;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-word}
ul{padding-left:1.2rem;color:var(--muted)}
</style></head>
<body><main>
<h1><span class="mark"></span>${failed ? 'The console build failed' : 'The console is being built'}</h1>
<p>${failed ? 'See the terminal where Rocketdeck started for the whole output.' : `This first start builds the console (a few minutes on a small machine); this page reloads itself and turns into the console when it is ready. ${elapsed} s so far.`}</p>
<p><strong>${escapeHtml(progress.step)}</strong></p>
${progress.lines.length ? `<pre aria-label="Build output">${progress.lines.map(escapeHtml).join('\n')}</pre>` : ''}
<p>Already answering:</p>
<ul>${services.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
</main></body></html>
`;
}

/** The console port's answers while the build runs. */
export function placeholderHandler(progress: BuildProgress, services: string[], root: string): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  let favicon: Buffer | null = null;
  try {
    favicon = fs.readFileSync(path.join(root, 'app', 'favicon.ico'));
  } catch {
    favicon = null; // answered 404 below
  }
  return (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname === '/favicon.ico') {
      if (!favicon) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/x-icon', 'cache-control': 'no-cache' });
      return void res.end(favicon);
    }
    const message = progress.state === 'failed' ? 'The console build failed; see the terminal where Rocketdeck started' : 'The console is being built; try again in a few seconds';
    if (pathname === '/api' || pathname.startsWith('/api/') || pathname === '/metrics') {
      res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '5' });
      return void res.end(JSON.stringify({ error: { code: 'console_building', message } }));
    }
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5', 'x-frame-options': 'DENY' });
    res.end(req.method === 'HEAD' ? undefined : placeholderPage(progress, services));
  };
}
