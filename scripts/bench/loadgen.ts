/**
 * Builds and drives the C load generator (loadgen.c). The binary goes to `.bench/` and is
 * rebuilt whenever the source is newer. Each run prints one JSON result line, parsed here.
 */
import type { Namespace } from "./netns.ts";

const SOURCE = new URL("./loadgen.c", import.meta.url).pathname;
const REPO = new URL("../../", import.meta.url).pathname;
export const BINARY = `${REPO}.bench/loadgen`;

export type Expect = "offer" | "ack" | "echo";

export interface LoadgenResult {
  mode: "closed" | "open" | "burst" | "probe";
  sent: number;
  valid: number;
  wrong: number;
  late: number;
  lost: number;
  timed_out: number;
  loss_pct: number;
  send_span_s: number;
  send_rate: number;
  replies_per_s: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  first_valid_unix_ns: number;
  last_valid_ms: number;
  wrong_by: Record<string, number>;
}

/** What to send and how to judge the replies, for one port of one responder. */
export interface Target {
  /** Request template (a fixture file: BOOTP payload only). */
  template: string;
  /** Where requests go, `ip:port`. */
  server: string;
  /** Local address to receive on, `ip:port` (0.0.0.0:<client port> for broadcast OFFERs). */
  bind: string;
  expect: Expect;
  /** Expected `file` field of ACKs. */
  bootFile?: string;
}

export type Run =
  | { mode: "closed"; duration: number; inflight: number; timeout?: number }
  | { mode: "open"; duration: number; rate: number; window?: number }
  | { mode: "burst"; count: number; window: number }
  | { mode: "probe"; timeout: number; intervalUs?: number };

/** Compiles loadgen.c with gcc unless the binary is up to date. */
export async function buildLoadgen(): Promise<string> {
  const sourceTime = Deno.statSync(SOURCE).mtime?.getTime() ?? 0;
  let binaryTime = -1;
  try {
    binaryTime = Deno.statSync(BINARY).mtime?.getTime() ?? -1;
  } catch {
    // Not built yet.
  }
  if (binaryTime >= sourceTime) return BINARY;
  Deno.mkdirSync(`${REPO}.bench`, { recursive: true });
  const args = ["-O2", "-Wall", "-Wextra", "-o", BINARY, SOURCE];
  let out;
  try {
    out = await new Deno.Command("gcc", { args, stderr: "piped" }).output();
  } catch {
    throw new Error("Cannot build the load generator: gcc not found (apt-get install gcc)");
  }
  if (!out.success) {
    throw new Error(`Cannot build the load generator:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return BINARY;
}

function argsFor(target: Target, run: Run): string[] {
  const args = [
    `--mode=${run.mode}`,
    `--template=${target.template}`,
    `--server=${target.server}`,
    `--bind=${target.bind}`,
    `--expect=${target.expect}`,
  ];
  if (target.bootFile) args.push(`--boot-file=${target.bootFile}`);
  switch (run.mode) {
    case "closed":
      args.push(`--duration=${run.duration}`, `--inflight=${run.inflight}`);
      if (run.timeout) args.push(`--timeout=${run.timeout}`);
      break;
    case "open":
      args.push(`--duration=${run.duration}`, `--rate=${run.rate}`);
      if (run.window) args.push(`--window=${run.window}`);
      break;
    case "burst":
      args.push(`--count=${run.count}`, `--window=${run.window}`);
      break;
    case "probe":
      args.push(`--timeout=${run.timeout}`, `--probe-interval-us=${run.intervalUs ?? 1000}`);
      break;
  }
  return args;
}

function parseResult(stdout: string, stderr: string): LoadgenResult {
  const line = stdout.trim().split("\n").filter((l) => l.startsWith('{"mode"')).pop();
  if (!line) throw new Error(`Cannot read the load generator's result: ${stderr.trim()}`);
  return JSON.parse(line) as LoadgenResult;
}

/** Runs the generator to completion inside `ns`, pinned to `cpu`. */
export async function runLoadgen(
  ns: Namespace,
  cpu: number | undefined,
  target: Target,
  run: Run,
): Promise<LoadgenResult> {
  const [cmd, ...pre] = ns.exec(cpu);
  const out = await new Deno.Command(cmd, {
    args: [...pre, BINARY, ...argsFor(target, run)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stderr = decoder.decode(out.stderr);
  if (!out.success) throw new Error(`Cannot run the load generator: ${stderr.trim()}`);
  return parseResult(decoder.decode(out.stdout), stderr);
}

/**
 * Start-up measurement: the generator starts probing (one request per ms), then `start` spawns
 * the responder; the result is the wall time from just before the spawn to the kernel receive
 * time of the first valid reply.
 */
export async function probeStartup(
  ns: Namespace,
  cpu: number | undefined,
  target: Target,
  timeoutSeconds: number,
  start: () => void,
): Promise<{ startupMs: number; result: LoadgenResult }> {
  const [cmd, ...pre] = ns.exec(cpu);
  const child = new Deno.Command(cmd, {
    args: [...pre, BINARY, ...argsFor(target, { mode: "probe", timeout: timeoutSeconds })],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!stdout.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const spawnedAtNs = (performance.timeOrigin + performance.now()) * 1e6;
  start();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  if (!status.success) throw new Error(`Cannot run the start-up probe: ${stderr.trim()}`);
  const result = parseResult(stdout, stderr);
  const startupMs = result.valid > 0 ? (result.first_valid_unix_ns - spawnedAtNs) / 1e6 : NaN;
  return { startupMs, result };
}
