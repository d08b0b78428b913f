/** A bounded fuzz run over `fuzzInputs`, collecting failures; used by the CLI and by CI. */
import { allFixtureBytes } from "./corpus.ts";
import { fuzzConfigs } from "./configs.ts";
import { type FuzzInput, fuzzInputs, type InputKind } from "./inputs.ts";
import { newTally, runPipeline, type Tally, type Violation } from "./pipeline.ts";

export interface Failure {
  readonly index: number;
  readonly input: FuzzInput;
  readonly violations: Violation[];
}

export interface RunResult {
  readonly tally: Tally;
  readonly byGenerator: Map<InputKind, number>;
  readonly failures: Failure[];
  readonly seconds: number;
}

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  /** Called for each failing input (e.g. to print and save it). */
  readonly onFailure?: (failure: Failure) => void;
  /** Called every `progressEvery` inputs. */
  readonly onProgress?: (done: number, seconds: number) => void;
  readonly progressEvery?: number;
}

export function runFuzz(options: RunOptions): RunResult {
  const configs = fuzzConfigs();
  const inputs = fuzzInputs(options.seed, allFixtureBytes());
  const tally = newTally();
  const byGenerator = new Map<InputKind, number>();
  const failures: Failure[] = [];
  const started = performance.now();
  for (let index = 0; index < options.runs; index++) {
    const input = inputs.next().value as FuzzInput;
    byGenerator.set(input.generator, (byGenerator.get(input.generator) ?? 0) + 1);
    const violations = runPipeline(input.bytes, configs, tally);
    if (violations.length > 0) {
      const failure = { index, input, violations };
      failures.push(failure);
      options.onFailure?.(failure);
    }
    if (options.onProgress && (index + 1) % (options.progressEvery ?? 100_000) === 0) {
      options.onProgress(index + 1, (performance.now() - started) / 1000);
    }
  }
  return { tally, byGenerator, failures, seconds: (performance.now() - started) / 1000 };
}
