/**
 * `deno task compile` must never ship a fake: the deno CLI posing as denort (through DENORT_BIN
 * or a pre-placed runtime zip) is caught, the output deleted, the exit code non-zero. Without
 * any runtime it must say in one line how to provide one. Each build writes to a temp dir.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { inspectRuntime, runtimeZipPath, verifyBinary } from "../../scripts/compile.ts";
import { VERSION } from "../../src/version.ts";

const COMPILE = fileURLToPath(new URL("../../scripts/compile.ts", import.meta.url));
/** A build either fails at once or within seconds; this only bounds a pathological network. */
const TIMEOUT_MS = 120_000;

/** Stands in for src/main.ts: answers --version like the daemon, and proves it really ran. */
const FAKE_MAIN = `if (Deno.args[0] === "--version") console.log("proxydhcpd ${VERSION}");
else console.log("embedded program ran");
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runCompile(args: string[], env: Record<string, string>): Promise<Run> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", COMPILE, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** A scratch dir with the stand-in program; removed afterwards. */
async function withScratch(fn: (dir: string, entry: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "proxydhcpd-compile-test-" });
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, FAKE_MAIN);
    await fn(dir, `${dir}/main.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The deno CLI binary itself, symlinks resolved (what a careless DENORT_BIN points at). */
const DENO_CLI = await Deno.realPath(Deno.execPath());

/** A real denort named by DENORT_BIN in the environment, if any. */
const REAL_DENORT = await (async () => {
  const path = Deno.env.get("DENORT_BIN");
  if (path === undefined || path === "") return undefined;
  return (await inspectRuntime(path)) === undefined ? path : undefined;
})();

Deno.test("compile refuses DENORT_BIN=<deno CLI> before building, loudly", async () => {
  await withScratch(async (dir, entry) => {
    const output = `${dir}/out/proxydhcpd`;
    const run = await runCompile(["--entry", entry, "--output", output], {
      DENORT_BIN: DENO_CLI,
    });
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(run.stderr, /^!{20,}$/m, "a banner, not a quiet line");
    assert.match(run.stderr, /Cannot compile .*DENORT_BIN=.* is the deno CLI/);
    assert.match(run.stderr, /answers "deno \d+\.\d+/);
    assert.equal(await exists(output), false, "no binary left behind");
  });
});

const HAS_ZIP = (await new Deno.Command("zip", { args: ["-v"], stdout: "null" }).output().catch(
  () => undefined,
))?.success === true;

Deno.test({
  name: named(
    "compile catches a deno CLI placed as the runtime zip, after building, and deletes it",
    HAS_ZIP ? undefined : "the zip command is missing (apt-get install zip)",
  ),
  ignore: !HAS_ZIP,
}, async () => {
  await withScratch(async (dir, entry) => {
    // An empty DENO_DIR holding nothing but the "runtime": the deno CLI zipped as denort.
    const denoDir = `${dir}/deno-dir`;
    const zip = runtimeZipPath(denoDir, Deno.build.target);
    await Deno.mkdir(zip.slice(0, zip.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(DENO_CLI, `${dir}/denort`);
    const zipped = await new Deno.Command("zip", {
      args: ["-q", "-j", "-0", zip, `${dir}/denort`],
    }).output();
    assert.ok(zipped.success, "zip the fake runtime");

    const output = `${dir}/out/proxydhcpd`;
    const run = await runCompile(["--entry", entry, "--output", output], { DENO_DIR: denoDir });
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(run.stderr, /^!{20,}$/m);
    assert.match(run.stderr, /answered "deno \d[^"]*" to --version/);
    assert.ok(run.stderr.includes(`instead of "proxydhcpd ${VERSION}"`), run.stderr);
    assert.match(run.stderr, /runtime is the deno CLI, not denort/);
    assert.ok(run.stderr.includes(zip), "names the runtime it used");
    assert.match(run.stderr, /Deleted /);
    assert.equal(await exists(output), false, "fake binary deleted");
  });
});

const NO_DENORT =
  "no real denort here: set DENORT_BIN=/path/to/denort (dl.deno.land is unreachable)";

/** Deno.test's `ignore` takes no reason, so an ignored test carries it in its name. */
function named(name: string, skipReason: string | undefined): string {
  return skipReason === undefined ? name : `${name} [ignored: ${skipReason}]`;
}

Deno.test({
  name: named(
    "compile without any runtime fails fast with a one-line way out",
    REAL_DENORT === undefined ? undefined : "a real denort is configured, nothing is missing",
  ),
  ignore: REAL_DENORT !== undefined,
}, async () => {
  await withScratch(async (dir, entry) => {
    // An empty DENO_DIR has no runtime zip; DENORT_BIN="" counts as unset; dl.deno.land is unreachable here, and wherever it
    // is reachable the build simply succeeds, so that case is checked too.
    const denoDir = `${dir}/deno-dir`;
    const output = `${dir}/out/proxydhcpd`;
    const started = Date.now();
    const run = await runCompile(
      ["--entry", entry, "--output", output, "--timeout", "60"],
      { DENO_DIR: denoDir, DENORT_BIN: "" },
    );
    if (run.code === 0) {
      // Online: the runtime was downloaded and the product check passed.
      assert.ok(run.stdout.startsWith(`Built ${output} (proxydhcpd ${VERSION},`), run.stdout);
      return;
    }
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
    assert.match(lines[0], /^Cannot compile .*: no denort runtime for deno \d/);
    assert.ok(lines[0].includes("DENORT_BIN="), "names DENORT_BIN");
    assert.ok(
      lines[0].includes(runtimeZipPath(denoDir, Deno.build.target)),
      "names the zip path under this DENO_DIR",
    );
    assert.equal(await exists(output), false);
    assert.ok(Date.now() - started < 60_000, "bounded in time");
  });
});

Deno.test("verifyBinary judges a cross-built fake by the deno CLI's own help text", async () => {
  // The deno CLI itself stands in for a binary built on it (it is byte-for-byte its runtime).
  const crossTarget = Deno.build.arch === "x86_64"
    ? "aarch64-unknown-linux-gnu"
    : "x86_64-unknown-linux-gnu";
  const verdict = await verifyBinary(DENO_CLI, "proxydhcpd 0.1.0", crossTarget);
  assert.match(verdict ?? "", /contains the deno CLI/);
  // …and a file without that text passes the static check.
  const plain = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(plain, "ELF? not really, but not the deno CLI either");
    assert.equal(await verifyBinary(plain, "proxydhcpd 0.1.0", crossTarget), undefined);
  } finally {
    await Deno.remove(plain);
  }
});

Deno.test({
  name: named(
    "the compiled daemon answers --version and --help as proxydhcpd",
    REAL_DENORT === undefined ? NO_DENORT : undefined,
  ),
  ignore: REAL_DENORT === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "proxydhcpd-compile-real-" });
  try {
    const output = `${dir}/proxydhcpd`;
    const run = await runCompile(["--output", output], { DENORT_BIN: REAL_DENORT! });
    assert.equal(run.code, 0, run.stderr);
    const text = new TextDecoder();
    const version = await new Deno.Command(output, { args: ["--version"] }).output();
    assert.match(text.decode(version.stdout), /^proxydhcpd \d+\.\d+\.\d+\n$/);
    const help = await new Deno.Command(output, { args: ["--help"] }).output();
    assert.match(text.decode(help.stdout), /^usage: proxydhcpd /);
    // The grant is baked in: a config outside it is refused by the sandbox, not read.
    const other = await new Deno.Command(output, {
      args: ["-c", `${dir}/elsewhere.ini`],
      stderr: "piped",
    }).output();
    assert.notEqual(other.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
