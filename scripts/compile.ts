/**
 * `deno task compile`: builds the single-file daemon `dist/proxydhcpd` with `deno compile`.
 *
 * `deno compile` glues the program onto `denort`, Deno's bare runtime, which it downloads from
 * dl.deno.land unless `DENORT_BIN` names a local one or the release zip is already in
 * `$DENO_DIR/dl/release/v<deno version>/` (toolchain.md). The trap: a `DENORT_BIN` (or zip) that
 * is really the deno CLI gives a binary that only acts like `deno` and never runs our program.
 * So the runtime is inspected before the build and the product is run after it; a fake is
 * deleted and the task fails loudly. Usage: `deno task compile [--help]`.
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import {
  daemonPermissionFlags,
  DEFAULT_CONFIG_PATH,
  DEFAULT_INSTALL_PATH,
  DEFAULT_PORTS,
  libcPathFor,
} from "./permissions.ts";
import type { Ports } from "../src/config/model.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const DEFAULT_OUTPUT = `${ROOT}/dist/proxydhcpd`;
const DEFAULT_ENTRY = `${ROOT}/src/main.ts`;
/** A real download finishes in seconds; a black-holed network should not hang a build forever. */
const DEFAULT_TIMEOUT_SECONDS = 300;
/** `--version` of a binary, or of the runtime, answers at once or not at all. */
const PROBE_TIMEOUT_MS = 15_000;
/**
 * Help text of `deno compile` itself: present in the deno CLI binary, and therefore in anything
 * built on it, but not in denort, which has no command-line parser. Only used where the binary
 * cannot be run (another CPU).
 */
const CLI_ONLY_MARKER = "Compile the script into a self contained executable";

const HELP = `usage: deno task compile [options]

Builds the proxydhcpd binary with deno compile and checks that it really is proxydhcpd.

options:
  --output FILE        where to write the binary (default: dist/proxydhcpd)
  --entry FILE         program to compile (default: src/main.ts)
  --config FILE        the only config file the binary may read (default: ${DEFAULT_CONFIG_PATH})
  --install-path FILE  where the binary will live, for -d (default: ${DEFAULT_INSTALL_PATH})
  --ports D,P,C        the only udp ports it may use: dhcp,pxe,client (default: 67,4011,68)
  --writable F1,F2     files it may write: -d's pid_file/log_file (default: none)
  --target TRIPLE      e.g. aarch64-unknown-linux-gnu (default: this machine)
  --timeout SECONDS    give up on deno compile after this long (default: ${DEFAULT_TIMEOUT_SECONDS})
  -h, --help           show this help

environment:
  DENORT_BIN           a local denort runtime (never the deno CLI); see docs/packaging.md`;

export interface CompileOptions {
  readonly output: string;
  readonly entry: string;
  readonly configPath: string;
  readonly installPath: string;
  readonly target: string;
  readonly ports: Ports;
  /** Files the binary may write (`-d` with pid_file / log_file); none by default. */
  readonly writable: readonly string[];
  readonly timeoutSeconds: number;
}

/**
 * How a build ended. `no-runtime`: denort could not be had (expected on air-gapped machines;
 * `deno task dist` then ships the bundle). `fake-runtime`: the deno CLI posed as denort.
 */
export type CompileOutcome = "built" | "no-runtime" | "fake-runtime" | "failed";

export interface CompileResult {
  readonly outcome: CompileOutcome;
  /** Process exit code: 0 only for `built`. */
  readonly code: number;
  readonly message: string;
}

/** What `<binary> --version` must print: `proxydhcpd <VERSION>` from src/version.ts. */
export async function expectedVersionLine(): Promise<string> {
  const path = `${ROOT}/src/version.ts`;
  if (!(await exists(path))) return "proxydhcpd ";
  const module = await import(new URL("../src/version.ts", import.meta.url).href);
  return typeof module.VERSION === "string" ? `proxydhcpd ${module.VERSION}` : "proxydhcpd ";
}

/** `$DENO_DIR` as this deno resolves it (honours the DENO_DIR environment variable). */
export async function denoDir(): Promise<string> {
  const { stdout } = await run([Deno.execPath(), "info", "--json"], PROBE_TIMEOUT_MS);
  return JSON.parse(stdout).denoDir;
}

/** Where `deno compile` looks for the runtime before downloading it. */
export function runtimeZipPath(dir: string, target: string, version = Deno.version.deno): string {
  return `${dir}/dl/release/v${version}/denort-${target}.zip`;
}

/**
 * Says what is wrong with `path` as a denort runtime, or undefined when nothing is. The deno
 * CLI answers `--version` with `deno 2.x …`; denort has no CLI and never does.
 */
export async function inspectRuntime(path: string): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return `DENORT_BIN=${path} does not exist`;
  }
  if (!info.isFile || ((info.mode ?? 0o111) & 0o111) === 0) {
    return `DENORT_BIN=${path} is not an executable file`;
  }
  const answer = await probe(path, ["--version"]);
  if (/^deno \d+\.\d+/.test(answer)) {
    return `DENORT_BIN=${path} is the deno CLI (it answers "${firstLine(answer)}"), not the ` +
      "denort runtime: a binary built on it ignores the embedded program and only acts like deno";
  }
  return undefined;
}

/**
 * Says what is wrong with a freshly built binary, or undefined when it is proxydhcpd: run it
 * with `--version` where it can run, else look for the deno CLI's own help text inside it.
 */
export async function verifyBinary(
  path: string,
  expected: string,
  target: string,
): Promise<string | undefined> {
  if (target !== Deno.build.target) {
    return (await containsText(path, CLI_ONLY_MARKER))
      ? "the binary contains the deno CLI (its runtime was not denort)"
      : undefined;
  }
  const answer = firstLine(await probe(path, ["--version"]));
  const wanted = expected.endsWith(" ") ? expected : `${expected}\n`;
  if (`${answer}\n`.startsWith(wanted)) return undefined;
  const why = /^deno \d/.test(answer) ? ": its runtime is the deno CLI, not denort" : "";
  return `the binary answered "${answer}" to --version instead of "${expected.trim()}"${why}`;
}

/** Builds, verifies and, on any failure, leaves no binary behind. */
export async function compile(options: CompileOptions): Promise<CompileResult> {
  const { output, target } = options;
  const what = `Cannot compile ${output}`;
  await Deno.remove(output).catch(() => {});
  const zip = runtimeZipPath(await denoDir(), target);
  const denortBin = Deno.env.get("DENORT_BIN");
  if (denortBin !== undefined && denortBin !== "") {
    const problem = await inspectRuntime(denortBin);
    if (problem !== undefined) {
      const fix = "Unset DENORT_BIN or point it at a real denort (docs/packaging.md).";
      return { outcome: "fake-runtime", code: 1, message: loud(`${what}: ${problem}. ${fix}`) };
    }
  }

  const arch = target.split("-")[0];
  const flags = daemonPermissionFlags({
    configPath: options.configPath,
    ports: options.ports,
    libcPath: libcPathFor(arch),
    // `-d` re-spawns the binary itself; its PID/log files are writable only if named at build.
    runs: options.installPath,
    writes: options.writable,
  });
  await Deno.mkdir(dirnameOf(output), { recursive: true });
  const command = [
    Deno.execPath(),
    "compile",
    "--config",
    `${ROOT}/deno.json`,
    ...flags,
    "--exclude-unused-npm",
    "--target",
    target,
    "--output",
    output,
    options.entry,
  ];
  // An empty DENORT_BIN would make deno compile look for a runtime at '' instead of downloading.
  const env = Deno.env.toObject();
  if (!denortBin) delete env.DENORT_BIN;
  const built = await run(command, options.timeoutSeconds * 1000, env);
  if (built.code !== 0) {
    await Deno.remove(output).catch(() => {});
    if (isRuntimeDownloadFailure(built.stderr)) {
      return {
        outcome: "no-runtime",
        code: 1,
        message: `${what}: no denort runtime for deno ${Deno.version.deno} (${target}) and ` +
          `the download from dl.deno.land failed; set DENORT_BIN=/path/to/denort or place ` +
          `${zip} (docs/packaging.md)`,
      };
    }
    const why = built.timedOut ? `timed out after ${options.timeoutSeconds} s` : "failed";
    const message = `${built.stderr.trimEnd()}\n${what}: deno compile ${why}`;
    return { outcome: "failed", code: 1, message };
  }

  const expected = await expectedVersionLine();
  const problem = await verifyBinary(output, expected, target);
  if (problem !== undefined) {
    await Deno.remove(output).catch(() => {});
    const source = denortBin ? `DENORT_BIN=${denortBin}` : zip;
    return {
      outcome: "fake-runtime",
      code: 1,
      message: loud(`${what}: ${problem}. Runtime used: ${source}. Deleted ${output}.`),
    };
  }
  return { outcome: "built", code: 0, message: `Built ${output} (${expected.trim()}, ${target})` };
}

export function parseCompileArgs(args: string[]): CompileOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      output: { type: "string" },
      entry: { type: "string" },
      config: { type: "string" },
      "install-path": { type: "string" },
      target: { type: "string" },
      ports: { type: "string" },
      writable: { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const defaults = defaultCompileOptions();
  const timeoutSeconds = Number(values.timeout ?? defaults.timeoutSeconds);
  if (!(timeoutSeconds > 0)) throw new Error(`Cannot use --timeout ${values.timeout}`);
  return {
    output: values.output ?? defaults.output,
    entry: values.entry ?? defaults.entry,
    configPath: values.config ?? defaults.configPath,
    installPath: values["install-path"] ?? defaults.installPath,
    target: values.target ?? defaults.target,
    ports: values.ports === undefined ? defaults.ports : parsePorts(values.ports),
    writable: values.writable === undefined ? [] : values.writable.split(","),
    timeoutSeconds,
  };
}

/** The release build: dist/proxydhcpd from src/main.ts for this machine, default grants. */
export function defaultCompileOptions(): CompileOptions {
  return {
    output: DEFAULT_OUTPUT,
    entry: DEFAULT_ENTRY,
    configPath: DEFAULT_CONFIG_PATH,
    installPath: DEFAULT_INSTALL_PATH,
    target: Deno.build.target,
    ports: DEFAULT_PORTS,
    writable: [],
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  };
}

/** `--ports dhcp,pxe,client`: the only ports the binary may bind and send to. */
function parsePorts(text: string): Ports {
  const numbers = text.split(",").map(Number);
  if (numbers.length !== 3 || !numbers.every((n) => Number.isInteger(n) && n > 0 && n < 65536)) {
    throw new Error(`Cannot use --ports ${text}: expected dhcp,pxe,client (e.g. 67,4011,68)`);
  }
  const [dhcp, pxe, client] = numbers;
  return { dhcp, pxe, client };
}

/** deno compile's error chain: "Setting up base binary" caused by the denort download. */
function isRuntimeDownloadFailure(stderr: string): boolean {
  return /Setting up base binary/.test(stderr) &&
    /dl\.deno\.land|error sending request|download/i.test(stderr);
}

function loud(message: string): string {
  const bar = "!".repeat(78);
  return `${bar}\n${message}\n${bar}`;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? (slash === 0 ? "/" : ".") : path.slice(0, slash);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a program with a deadline; output is collected, never streamed. */
async function run(
  command: string[],
  timeoutMs: number,
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    ...(env === undefined ? {} : { env, clearEnv: true }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return {
    code,
    stdout: text.decode(stdout),
    stderr: text.decode(stderr),
    timedOut: signal.aborted,
  };
}

/** stdout and stderr of `path args`, or "" when it cannot run or does not answer in time. */
async function probe(path: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run([path, ...args], PROBE_TIMEOUT_MS);
    return stdout.trim() !== "" ? stdout : stderr;
  } catch {
    return "";
  }
}

/** Searches a (large) file for text without holding it all in memory. */
async function containsText(path: string, text: string): Promise<boolean> {
  const needle = Buffer.from(text, "latin1");
  using file = await Deno.open(path);
  const chunk = new Uint8Array(8 << 20);
  let carry: Uint8Array = new Uint8Array(0);
  while (true) {
    const read = await file.read(chunk);
    if (read === null) return false;
    const window = Buffer.concat([carry, chunk.subarray(0, read)]);
    if (window.indexOf(needle) !== -1) return true;
    carry = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
}

if (import.meta.main) {
  let options;
  try {
    options = parseCompileArgs(Deno.args);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    Deno.exit(2);
  }
  if (options === "help") {
    console.log(HELP);
    Deno.exit(0);
  }
  const result = await compile(options);
  (result.code === 0 ? console.log : console.error)(result.message);
  Deno.exit(result.code);
}
