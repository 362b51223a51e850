/**
 * Failed sign-ins counted over a sliding window per client address, per (address, user name) and per user name;
 * beyond a limit the login route answers 429 with Retry-After without checking the password. A success clears
 * the (address, name) count. One address is stopped after 5 wrong passwords for a name, so it cannot lock out
 * the same name used from elsewhere (that needs 50 failures from all addresses together).
 */
import { LOGIN_FAILURES_PER_ADDRESS_MAX, LOGIN_FAILURES_PER_ADDRESS_USER_MAX, LOGIN_FAILURES_PER_USER_MAX, LOGIN_LIMITER_KEYS_MAX, LOGIN_WINDOW_MS } from './limits';

export interface LoginLimits {
  perAddress: number;
  perAddressUser: number;
  perUser: number;
  windowMs: number;
  keysMax: number;
}

const DEFAULT_LIMITS: LoginLimits = { perAddress: LOGIN_FAILURES_PER_ADDRESS_MAX, perAddressUser: LOGIN_FAILURES_PER_ADDRESS_USER_MAX, perUser: LOGIN_FAILURES_PER_USER_MAX, windowMs: LOGIN_WINDOW_MS, keysMax: LOGIN_LIMITER_KEYS_MAX };

export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  #keys(address: string, user: string): [string, number][] {
    const name = user.toLowerCase();
    return [
      [`a:${address}`, this.#limits.perAddress],
      [`au:${address}\n${name}`, this.#limits.perAddressUser],
      [`u:${name}`, this.#limits.perUser],
    ];
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.#limits.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Milliseconds to wait before another attempt, or 0 when one is allowed now. */
  retryAfterMs(address: string, user: string, now = Date.now()): number {
    let wait = 0;
    for (const [key, max] of this.#keys(address, user)) {
      const times = this.#recent(key, now);
      if (times.length >= max) wait = Math.max(wait, times[times.length - max]! + this.#limits.windowMs - now);
    }
    return wait;
  }

  fail(address: string, user: string, now = Date.now()): void {
    for (const [key, max] of this.#keys(address, user)) {
      const times = this.#recent(key, now);
      this.#failures.delete(key); // re-inserted last: the map's order is least recently failed first
      this.#failures.set(key, [...times, now].slice(-max));
    }
    while (this.#failures.size > this.#limits.keysMax) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(address: string, user: string): void {
    this.#failures.delete(`au:${address}\n${user.toLowerCase()}`);
  }
}
