/**
 * Body regexes run in a worker thread with a time bound. JavaScript regexes backtrack, and one pattern such as
 * `(a+)+$` on a long body can take longer than the universe exists: in a worker, a batch that takes longer than
 * its bound is stopped by terminating the worker (V8 interrupts the running match), and the scan says why.
 * The worker is plain JavaScript given as a string, so it needs no file next to the bundled console.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.source, workerData.flags);
parentPort.on('message', ({ bytes, ends }) => {
  const all = Buffer.from(bytes);
  const out = new Uint8Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = re.test(all.toString('utf8', start, ends[i])) ? 1 : 0;
    start = ends[i];
  }
  parentPort.postMessage(out, [out.buffer]);
});
`;

export class RegexTimeoutError extends Error {
  readonly code = 'EXPLORER_REGEX_TIMEOUT';
  constructor(readonly timeoutMs: number, readonly messages: number) {
    super(`The body regex took more than ${timeoutMs} ms over ${messages} messages and was stopped (nested quantifiers such as (a+)+ backtrack without end): simplify it`);
  }
}

interface Pending {
  resolve: (matches: boolean[]) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
  count: number;
}

export class RegexTester {
  readonly #worker: Worker;
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #failure: Error | null = null;

  /** `source` and `flags` must compile (the input rules check that first). */
  constructor(source: string, flags: string) {
    new RegExp(source, flags); // throws here, not in the worker, when it does not
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source, flags } });
    this.#worker.unref();
    this.#worker.on('message', (out: Uint8Array) => this.#settle((p) => p.resolve(Array.from(out, (v) => v === 1))));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', () => this.#fail(new Error('the regex worker stopped')));
  }

  /** Whether each body matches; rejects with RegexTimeoutError when the batch takes longer than `timeoutMs`. */
  test(bodies: Buffer[], timeoutMs: number): Promise<boolean[]> {
    const run = this.#queue.then(() => this.#run(bodies, timeoutMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #run(bodies: Buffer[], timeoutMs: number): Promise<boolean[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (bodies.length === 0) return Promise.resolve([]);
    // One fresh buffer for the batch, moved (not copied) to the worker; a body may be a view of a larger pool.
    const total = bodies.reduce((n, b) => n + b.length, 0);
    const bytes = new Uint8Array(total);
    const ends = new Array<number>(bodies.length);
    let at = 0;
    bodies.forEach((b, i) => {
      bytes.set(b, at);
      at += b.length;
      ends[i] = at;
    });
    return new Promise<boolean[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new RegexTimeoutError(timeoutMs, bodies.length);
        this.#failure = error;
        this.#settle((p) => p.reject(error));
        void this.#worker.terminate();
      }, Math.max(1, timeoutMs));
      this.#pending = { resolve, reject, timer, count: bodies.length };
      this.#worker.postMessage({ bytes, ends }, [bytes.buffer]);
    });
  }

  #settle(fn: (pending: Pending) => void): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    fn(pending);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#settle((p) => p.reject(this.#failure));
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the regex tester is closed');
    this.#settle((p) => p.reject(this.#failure));
    await this.#worker.terminate();
  }
}
