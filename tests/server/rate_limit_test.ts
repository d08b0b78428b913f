/** The per-MAC reply budget: retransmits pass, floods are bounded, memory is bounded. */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { RateLimiter } from "../../src/rate_limit.ts";

Deno.test("rate limit: EDK2 and iPXE retransmit schedules are never limited by the default", () => {
  const limiter = new RateLimiter({ perSecond: 10, burst: 20 });
  // EDK2: DISCOVER at 0, 4, 12, 28 s; REQUEST on 4011 four times 1 s apart; iPXE: 4 in 2 s.
  const times = [0, 4000, 12000, 28000, 28500, 29500, 30500, 31500, 32000, 32500, 33000, 34000];
  for (const t of times) ok(limiter.allow("aa", t), `t=${t}`);
});

Deno.test("rate limit: one MAC flooding gets its burst, then the refill rate", () => {
  const limiter = new RateLimiter({ perSecond: 10, burst: 20 });
  let allowed = 0;
  for (let i = 0; i < 1000; i++) if (limiter.allow("flood", i)) allowed++; // 1000 requests in 1 s
  ok(allowed >= 20 && allowed <= 31, `allowed ${allowed}`);
  // Another client is unaffected.
  ok(limiter.allow("other", 999));
});

Deno.test("rate limit: spoofed random MACs cannot grow memory past maxClients", () => {
  const limiter = new RateLimiter({ perSecond: 10, burst: 20, maxClients: 1000 });
  for (let i = 0; i < 100_000; i++) limiter.allow(`mac-${i}`, i / 100);
  equal(limiter.size, 1000);
});

Deno.test("rate limit: sweep forgets clients whose bucket has refilled", () => {
  const limiter = new RateLimiter({ perSecond: 10, burst: 20 });
  for (let i = 0; i < 50; i++) limiter.allow(`mac-${i}`, 0);
  equal(limiter.size, 50);
  limiter.sweep(1000); // 1 s later only 10 tokens back: one token spent each, so all are full
  equal(limiter.size, 0);
  limiter.allow("x", 0);
  limiter.allow("x", 0);
  limiter.sweep(50); // 0.5 token refilled, still below the burst
  equal(limiter.size, 1);
});

Deno.test("rate limit: 0 disables the limit", () => {
  const limiter = new RateLimiter({ perSecond: 0, burst: 1 });
  for (let i = 0; i < 100; i++) ok(limiter.allow("a", 0));
  equal(limiter.size, 0);
});
