/** Login rate limiting: per address, per (address, name), per name, over a sliding window. */
import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './rate-limit';

const WINDOW = 15 * 60_000;

describe('LoginRateLimiter', () => {
  it('stops an address after 5 failures for a name, until the oldest failure leaves the window', () => {
    const limiter = new LoginRateLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(limiter.retryAfterMs('10.0.0.1', 'ann', t0 + i)).toBe(0);
      limiter.fail('10.0.0.1', 'ann', t0 + i);
    }
    expect(limiter.retryAfterMs('10.0.0.1', 'ann', t0 + 10)).toBe(WINDOW - 10);
    expect(limiter.retryAfterMs('10.0.0.1', 'ANN', t0 + 10)).toBeGreaterThan(0);
    // The same name from the colleague's own address is not locked out.
    expect(limiter.retryAfterMs('10.0.0.2', 'ann', t0 + 10)).toBe(0);
    expect(limiter.retryAfterMs('10.0.0.1', 'ann', t0 + WINDOW)).toBe(0);
  });

  it('stops an address guessing many names, and a name guessed from many addresses', () => {
    const limiter = new LoginRateLimiter({ perAddress: 3, perUser: 4 });
    for (const name of ['a', 'b', 'c']) limiter.fail('10.0.0.9', name, 0);
    expect(limiter.retryAfterMs('10.0.0.9', 'zed', 1)).toBeGreaterThan(0);
    for (const address of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']) limiter.fail(address, 'ann', 0);
    expect(limiter.retryAfterMs('5.5.5.5', 'ann', 1)).toBeGreaterThan(0);
  });

  it('clears the (address, name) count on success and forgets the oldest keys beyond its maximum', () => {
    const limiter = new LoginRateLimiter({ keysMax: 30 });
    for (let i = 0; i < 4; i++) limiter.fail('10.0.0.1', 'ann', i);
    limiter.succeed('10.0.0.1', 'ann');
    limiter.fail('10.0.0.1', 'ann', 5);
    expect(limiter.retryAfterMs('10.0.0.1', 'ann', 6)).toBe(0);
    for (let i = 0; i < 100; i++) limiter.fail(`192.0.2.${i}`, `user${i}`, 10);
    expect(limiter.retryAfterMs('10.0.0.1', 'ann', 11)).toBe(0);
  });
});
