/**
 * Per-client reply budget (token bucket keyed by MAC). Legitimate clients send a handful of
 * requests per boot (EDK2 retransmits at 4, 8, 16 s; iPXE within 2 s, protocol.md §11), so the
 * default budget never touches them, while one chatty or spoofing sender cannot make the proxy
 * answer without bound.
 *
 * Memory is bounded with two generations of buckets: lookups promote a bucket into the current
 * generation, and when it fills, the previous one is dropped whole. Every operation is O(1),
 * which matters in a storm of new MACs (evicting the oldest entry of one big Map costs a scan
 * over V8's deleted slots).
 */
export interface RateLimitOptions {
  /** Tokens added per second; 0 disables the limit. */
  readonly perSecond: number;
  /** Bucket size: replies allowed back to back. */
  readonly burst: number;
  /** At most this many clients are remembered (two generations of half each). */
  readonly maxClients?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  #current = new Map<string, Bucket>();
  #previous = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #burst: number;
  readonly #generationSize: number;

  constructor({ perSecond, burst, maxClients = 65_536 }: RateLimitOptions) {
    this.#perMs = perSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#generationSize = Math.max(1, Math.floor(maxClients / 2));
  }

  /** Clients remembered right now. */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Takes one token for `key`; false when its budget is spent. */
  allow(key: string, now: number): boolean {
    if (this.#perMs === 0) return true;
    let bucket = this.#current.get(key);
    if (bucket === undefined) {
      bucket = this.#previous.get(key);
      if (bucket !== undefined) this.#previous.delete(key);
      else bucket = { tokens: this.#burst, updated: now };
      if (this.#current.size >= this.#generationSize) {
        this.#previous = this.#current;
        this.#current = new Map();
      }
      this.#current.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updated) * this.#perMs);
    bucket.updated = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets buckets that have refilled completely; they behave like new clients anyway. */
  sweep(now: number): void {
    for (const generation of [this.#current, this.#previous]) {
      for (const [key, bucket] of generation) {
        if (bucket.tokens + (now - bucket.updated) * this.#perMs >= this.#burst) {
          generation.delete(key);
        }
      }
    }
  }
}
