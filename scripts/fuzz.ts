/**
 * Fuzzes the request path (decode → decide on both ports → buildReply → encode → decode) with
 * random bytes, mutated real firmware packets and fast-check structure-aware requests.
 *
 *   deno run --allow-read=. --allow-write=tests/fixtures/fuzz-regressions scripts/fuzz.ts \
 *     [--runs N] [--seed S] [--save N]
 *
 * A failure prints the input as hex and saves it to tests/fixtures/fuzz-regressions/<sha256>.bin,
 * where tests/fuzz/regressions_test.ts replays it. Exit status 1 when anything failed.
 */
import { parseArgs } from "node:util";
import { hex } from "../src/dhcp/options.ts";
import { fuzzConfigs } from "./fuzz/configs.ts";
import { savedRegressions, saveRegression } from "./fuzz/corpus.ts";
import { runPipeline, type Violation } from "./fuzz/pipeline.ts";
import { runFuzz } from "./fuzz/run.ts";

const USAGE = `usage: fuzz.ts [--runs N] [--seed S] [--save N]
  --runs N   inputs to try (default 1000000)
  --seed S   PRNG seed, a 32-bit integer (default: random, printed for replay)
  --save N   save at most N failing inputs, one per new kind of failure (default 20)`;

function integerFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text)) {
    console.error(`Cannot fuzz: --${name} ${JSON.stringify(text)} is not an integer\n${USAGE}`);
    Deno.exit(2);
  }
  return Number(text);
}

/** Failures of the same kind (numbers aside) are reported and saved once. */
function signature(violations: readonly Violation[]): string {
  const kinds = violations.map((v) => `${v.stage}: ${v.message.replace(/\d+/g, "N")}`);
  return [...new Set(kinds)].sort().join(" | ");
}

/** Kinds a saved regression input already reproduces: not saved again. */
function savedKinds(): Set<string> {
  const configs = fuzzConfigs();
  const kinds = new Set<string>();
  for (const { bytes } of savedRegressions()) {
    const violations = runPipeline(bytes, configs);
    if (violations.length > 0) kinds.add(signature(violations));
  }
  return kinds;
}

function main(): void {
  let values;
  try {
    values = parseArgs({
      options: {
        runs: { type: "string" },
        seed: { type: "string" },
        save: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`Cannot fuzz: ${(error as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runs = integerFlag("runs", values.runs, 1_000_000);
  const seed = integerFlag("seed", values.seed, (Math.random() * 0x7fffffff) | 0);
  const saveLimit = integerFlag("save", values.save, 20);
  console.log(`fuzzing ${runs} inputs, seed ${seed} (replay with --seed ${seed})`);

  const kinds = new Map<string, number>();
  const alreadySaved = savedKinds();
  let saved = 0;
  const result = runFuzz({
    runs,
    seed,
    onFailure(failure) {
      const kind = signature(failure.violations);
      const seen = kinds.get(kind) ?? 0;
      kinds.set(kind, seen + 1);
      if (seen > 0) return;
      console.log(`\nFAIL input #${failure.index} (${failure.input.generator}):`);
      for (const v of failure.violations) {
        console.log(`  [${v.config} ${v.port}] ${v.stage}: ${v.message}`);
      }
      console.log(`  hex: ${hex(failure.input.bytes)}`);
      if (alreadySaved.has(kind)) {
        console.log("  not saved: a saved regression input already fails this way");
      } else if (saved < saveLimit) {
        saved++;
        console.log(`  saved: ${saveRegression(failure.input.bytes)}`);
      }
    },
    onProgress(done, seconds) {
      console.log(`  ${done} inputs, ${Math.round(done / seconds)} inputs/s`);
    },
  });

  const { tally, byGenerator, failures, seconds } = result;
  console.log(
    `\n${runs} inputs in ${seconds.toFixed(1)} s: ${Math.round(runs / seconds)} inputs/s`,
  );
  console.log(`generators: ${[...byGenerator].map(([g, n]) => `${g} ${n}`).join(", ")}`);
  console.log(
    `decode errors ${tally.decodeErrors}, replies ${tally.replies} (config × port), drops: ` +
      [...tally.drops].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(", "),
  );
  if (failures.length === 0) {
    console.log("no failures");
    return;
  }
  console.log(`${failures.length} failing inputs, ${kinds.size} kinds:`);
  for (const [kind, count] of kinds) console.log(`  ${count} × ${kind}`);
  Deno.exit(1);
}

main();
