/**
 * Benchmark instrumentation: records when this process has an fsync / fdatasync in progress, whichever code
 * issues it (store, config files) and whether it runs on the event loop (…Sync) or on libuv's pool. The bench
 * lines its latency samples up with these windows to compare p99 with and without a flush in progress.
 * Installed by patching `node:fs` in the benchmark child only; nothing in the product depends on it.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface FlushWindow {
  /** Wall clock, fractional ms (performance.timeOrigin + performance.now(): comparable across local processes). */
  startMs: number;
  endMs: number;
  how: 'sync' | 'async';
}

const WINDOWS_MAX = 200_000;
const now = () => performance.timeOrigin + performance.now();

export async function recordFlushWindows(scratchDir: string): Promise<() => FlushWindow[]> {
  const windows: FlushWindow[] = [];
  const push = (window: FlushWindow) => {
    if (windows.length < WINDOWS_MAX) windows.push(window);
  };
  type Callback = (err: NodeJS.ErrnoException | null) => void;
  const wrapAsync = (name: 'fdatasync' | 'fsync') => {
    const original = fs[name] as (fd: number, callback: Callback) => void;
    (fs as unknown as Record<string, unknown>)[name] = (fd: number, callback: Callback) => {
      const startMs = now();
      original(fd, (err) => {
        push({ startMs, endMs: now(), how: 'async' });
        callback(err);
      });
    };
  };
  const wrapSync = (name: 'fdatasyncSync' | 'fsyncSync') => {
    const original = fs[name] as (fd: number) => void;
    (fs as unknown as Record<string, unknown>)[name] = (fd: number) => {
      const startMs = now();
      try {
        original(fd);
      } finally {
        push({ startMs, endMs: now(), how: 'sync' });
      }
    };
  };
  wrapAsync('fdatasync');
  wrapAsync('fsync');
  wrapSync('fdatasyncSync');
  wrapSync('fsyncSync');
  // FileHandle#datasync / #sync (fs/promises): patch the class through one handle.
  const probe = await fs.promises.open(`${scratchDir}/.flush-probe`, 'w');
  const proto = Object.getPrototypeOf(probe) as Record<'datasync' | 'sync', (this: unknown) => Promise<void>>;
  await probe.close();
  fs.rmSync(`${scratchDir}/.flush-probe`, { force: true });
  for (const name of ['datasync', 'sync'] as const) {
    const original = proto[name];
    proto[name] = async function patched(this: unknown) {
      const startMs = now();
      try {
        await original.call(this);
      } finally {
        push({ startMs, endMs: now(), how: 'async' });
      }
    };
  }
  return () => windows;
}

/** Splits [start, duration] samples by whether they overlap any window; returns p50/p99 of each side. */
export function splitByFlush(samples: [number, number][], windows: FlushWindow[]) {
  const sorted = [...windows].sort((a, b) => a.startMs - b.startMs);
  // Merge overlapping windows so that the overlap test is one binary search.
  const merged: { startMs: number; endMs: number }[] = [];
  for (const w of sorted) {
    const last = merged[merged.length - 1];
    if (last && w.startMs <= last.endMs) last.endMs = Math.max(last.endMs, w.endMs);
    else merged.push({ startMs: w.startMs, endMs: w.endMs });
  }
  const overlaps = (start: number, end: number) => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = merged[mid]!;
      if (w.endMs < start) lo = mid + 1;
      else if (w.startMs > end) hi = mid - 1;
      else return true;
    }
    return false;
  };
  const during: number[] = [];
  const outside: number[] = [];
  for (const [start, duration] of samples) (overlaps(start, start + duration) ? during : outside).push(duration);
  const stats = (values: number[]) => {
    values.sort((a, b) => a - b);
    const at = (p: number) => (values.length === 0 ? NaN : values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!);
    return { count: values.length, p50: at(50), p99: at(99) };
  };
  const inFlushMs = merged.reduce((sum, w) => sum + (w.endMs - w.startMs), 0);
  return { during: stats(during), outside: stats(outside), windows: merged.length, inFlushMs };
}
