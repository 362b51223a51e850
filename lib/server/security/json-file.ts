/**
 * Small JSON files that several module instances of one process (the proxy, each route bundle, the HTTP
 * recorder) and the CLI read and write: a read is re-parsed only when the file changed (inode, size or mtime:
 * every write is a rename, so the inode changes), a write goes to a temp file, is fsynced and renamed over the
 * old one with mode 0600, so a reader sees the old or the new file, never half of one. Every change is a
 * synchronous read-modify-write: within one process nothing can interleave between the read and the rename.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Cached {
  key: string;
  value: unknown;
}

const cache = ((globalThis as unknown as { __rocketdeckJsonFiles?: Map<string, Cached> }).__rocketdeckJsonFiles ??= new Map());

function statKey(file: string): string | null {
  try {
    const stat = fs.statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The parsed file, `fallback` when it does not exist. A file that is not JSON is an error naming the file. */
export function readJsonFile<T>(file: string, fallback: T): T {
  const key = statKey(file);
  if (key === null) {
    cache.delete(file);
    return fallback;
  }
  const hit = cache.get(file);
  if (hit && hit.key === key) return hit.value as T;
  const text = fs.readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`, { cause: err });
  }
  cache.set(file, { key, value });
  return value as T;
}

export function writeJsonFile(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, JSON.stringify(value, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  cache.delete(file);
}

/** Reads, lets `change` compute the next content, writes it; returns what `change` returned. */
export function updateJsonFile<T, R>(file: string, fallback: T, change: (current: T) => { next: T; result: R }): R {
  const current = structuredClone(readJsonFile(file, fallback));
  const { next, result } = change(current);
  writeJsonFile(file, next);
  return result;
}
