/**
 * File-level refusals: the message names the file and says what was expected. The unreadable
 * case is real: root bypasses file modes, so as root the loader runs in a child process
 * dropped to `nobody` with setpriv(1); as non-root, chmod 000 suffices.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfigFile } from "../../src/config/load.ts";

const GOOD = fileURLToPath(new URL("./good/no_ipxe_section.ini", import.meta.url));
const LOAD_MODULE = new URL("../../src/config/load.ts", import.meta.url).href;
const NOBODY = 65534;

function refusal(path: string): ConfigError {
  try {
    loadConfigFile(path);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error;
  }
  assert.fail(`${path} loaded without error`);
}

async function withTempDir(body: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "proxydhcpd-config-" });
  try {
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("read: a missing file is named", () => {
  const error = refusal("/nonexistent/proxydhcpd/proxy.ini");
  assert.equal(
    error.message,
    "/nonexistent/proxydhcpd/proxy.ini: no such file; expected a regular INI config file " +
      "(choose one with -c FILE)",
  );
  assert.equal(error.line, undefined);
});

Deno.test("read: a directory is refused", () =>
  withTempDir((dir) => {
    assert.equal(
      refusal(dir).message,
      `${dir}: is a directory; expected a regular INI config file (choose one with -c FILE)`,
    );
  }));

Deno.test("read: a FIFO is refused without blocking on it", () =>
  withTempDir(async (dir) => {
    const fifo = `${dir}/proxy.ini`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success, "mkfifo failed");
    assert.equal(
      refusal(fifo).message,
      `${fifo}: is a FIFO, not a regular file; expected a regular INI config file ` +
        "(choose one with -c FILE)",
    );
  }));

Deno.test("read: a file larger than 1 MiB is refused", () =>
  withTempDir((dir) => {
    const big = `${dir}/big.ini`;
    Deno.writeTextFileSync(big, "[proxy]\nfilename=f\n" + "#".repeat(1024 * 1024));
    assert.match(refusal(big).message, /^.*big\.ini: is 1048595 bytes; expected .*1 MiB$/);
  }));

Deno.test("read: a symlink to a config file loads (stat follows it)", () =>
  withTempDir((dir) => {
    Deno.symlinkSync(GOOD, `${dir}/proxy.ini`);
    assert.deepEqual(
      loadConfigFile(`${dir}/proxy.ini`).firmwareRoutes,
      new Map([[0, "pxelinux.0"]]),
    );
  }));

/** Runs `loadConfigFile(path)` in a child deno and returns what it threw. */
async function loadInChild(
  path: string,
  options: { asNobody?: boolean; denoFlags?: string[]; denoDir?: string },
): Promise<{ name: string; message: string }> {
  const script = `import { loadConfigFile } from ${JSON.stringify(LOAD_MODULE)};
try { loadConfigFile(Deno.args[0]); console.log(JSON.stringify({ name: "none", message: "" })); }
catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }`;
  const deno = [Deno.execPath(), "eval", "--no-config", "--quiet"];
  const argv = options.denoFlags
    ? [Deno.execPath(), "run", "--no-config", "--quiet", ...options.denoFlags, "-"]
    : deno;
  const command = options.asNobody
    ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...argv]
    : argv;
  const child = new Deno.Command(command[0], {
    args: options.denoFlags ? [...command.slice(1), path] : [...command.slice(1), script, path],
    env: options.denoDir ? { DENO_DIR: options.denoDir } : {},
    stdin: options.denoFlags ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.denoFlags) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(script));
    await writer.close();
  }
  const { stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout).trim();
  assert.ok(out !== "", `child printed nothing; stderr: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(out);
}

const isRoot = Deno.uid() === 0;
const hasSetpriv = (() => {
  try {
    return Deno.statSync("/usr/bin/setpriv").isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "read: an unreadable file is refused with permission denied",
  ignore: isRoot && !hasSetpriv,
  fn: () =>
    withTempDir(async (dir) => {
      Deno.chmodSync(dir, 0o755);
      const path = `${dir}/proxy.ini`;
      Deno.writeTextFileSync(path, "[proxy]\nfilename=f\n");
      Deno.chmodSync(path, 0o000);
      const expected = `${path}: permission denied; expected a file readable by this user`;
      if (!isRoot) {
        assert.equal(refusal(path).message, expected);
        return;
      }
      // The child's module cache must be writable by nobody.
      const denoDir = `${dir}/deno-dir`;
      Deno.mkdirSync(denoDir);
      Deno.chownSync(denoDir, NOBODY, NOBODY);
      assert.deepEqual(await loadInChild(path, { asNobody: true, denoDir }), {
        name: "ConfigError",
        message: expected,
      });
      // Control: the same child loads the file once it is readable, so the refusal was the mode.
      Deno.chmodSync(path, 0o644);
      assert.deepEqual(await loadInChild(path, { asNobody: true, denoDir }), {
        name: "none",
        message: "",
      });
    }),
});

Deno.test("read: Deno's permission sandbox refusal names the flag to add", async () => {
  const result = await loadInChild(GOOD, { denoFlags: ["--allow-read=/nonexistent"] });
  assert.deepEqual(result, {
    name: "ConfigError",
    message: `${GOOD}: reading is not allowed by Deno's permissions; expected --allow-read ` +
      "covering the config file",
  });
});
