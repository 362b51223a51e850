/** Runs `rocketdeck admin` in-process and captures what it prints (tests of the admin CLI). */
import { PassThrough } from 'node:stream';
import { runAdminCli } from '../cli/admin-cli';

export async function runAdminCliCaptured(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runAdminCli(args, { stdout, stderr, env });
  return { code, out, err };
}
