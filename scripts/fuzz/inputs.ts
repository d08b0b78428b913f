/**
 * The fuzz input stream: random bytes, mutated real fixtures and fast-check structure-aware
 * requests, interleaved, all derived from one seed.
 */
import fc from "fast-check";
import { structuredRequestBytes } from "./arbitraries.ts";
import { mutateFixture, randomBytes } from "./mutate.ts";
import { Prng } from "./prng.ts";

export type InputKind = "random" | "mutated" | "structured";

export interface FuzzInput {
  readonly generator: InputKind;
  readonly bytes: Uint8Array;
}

const STRUCTURED_BATCH = 500;

/** Endless deterministic inputs; `fixtures` are the real packets to mutate. */
export function* fuzzInputs(seed: number, fixtures: readonly Uint8Array[]): Generator<FuzzInput> {
  const rng = new Prng(seed);
  // Client packets are what the router reads; server packets (op 2) stay as a minority.
  const clients = fixtures.filter((f) => f[0] === 1);
  let structured: Uint8Array[] = [];
  let batch = 0;
  while (true) {
    const roll = rng.int(10);
    if (roll < 1) {
      yield { generator: "random", bytes: randomBytes(rng) };
    } else if (roll < 7) {
      const seedPacket = rng.chance(0.9) ? rng.pick(clients) : rng.pick(fixtures);
      yield { generator: "mutated", bytes: mutateFixture(seedPacket.slice(), rng) };
    } else {
      if (structured.length === 0) {
        // fast-check draws from its own generator; seed each batch from ours.
        structured = fc.sample(structuredRequestBytes, {
          seed: (seed ^ Math.imul(++batch, 0x9e3779b1)) | 0,
          numRuns: STRUCTURED_BATCH,
        });
      }
      yield { generator: "structured", bytes: structured.pop()! };
    }
  }
}
