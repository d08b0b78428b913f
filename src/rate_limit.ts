/**
 * Per-client reply budget (token bucket keyed by MAC). Legitimate clients send a handful of
 * requests per boot (EDK2 retransmits at 4, 8, 16 s; iPXE within 2 s, protocol.md §11), so the
 * default budget never touches them, while one chatty or spoofing sender cannot make the proxy
 * answer without bound. Memory is bounded: at most `maxClients` buckets, oldest evicted first.
 */
export interface RateLimitOptions {
  /** Tokens added per second; 0 disables the limit. */
  readonly perSecond: number;
  /** Bucket size: replies allowed back to back. */
  readonly burst: number;
  readonly maxClients?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxClients: number;

  constructor({ perSecond, burst, maxClients = 65_536 }: RateLimitOptions) {
    this.#perMs = perSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#maxClients = maxClients;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `key`; false when its budget is spent. */
  allow(key: string, now: number): boolean {
    if (this.#perMs === 0) return true;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) this.#evictOldest();
      bucket = { tokens: this.#burst, updated: now };
    } else {
      this.#buckets.delete(key); // re-insert below: Map order becomes least-recently-used first
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updated) * this.#perMs);
      bucket.updated = now;
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets buckets that have refilled completely; they behave like new clients anyway. */
  sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updated) * this.#perMs >= this.#burst) {
        this.#buckets.delete(key);
      }
    }
  }

  #evictOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }
}
