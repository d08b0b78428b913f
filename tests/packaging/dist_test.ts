/**
 * `deno task dist` writes one release archive: the binary where a denort runtime exists, else
 * the bundle with its launcher; plus the unit, proxy.ini, INSTALL and SHA256SUMS that verify.
 * A fake runtime must fail the task rather than quietly ship anything.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { sha256 } from "../../scripts/dist.ts";
import { VERSION } from "../../src/version.ts";

const DIST = fileURLToPath(new URL("../../scripts/dist.ts", import.meta.url));
const HAS_SAMPLE_CONFIG = await Deno.stat(
  fileURLToPath(new URL("../../dist/proxy.ini", import.meta.url)),
).then(() => true, () => false);

async function run(command: string, args: string[], options: Deno.CommandOptions = {}) {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
    ...options,
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "proxydhcpd-dist-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("dist archive holds the expected files and its checksums verify", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out`;
    const built = await run(Deno.execPath(), ["run", "--allow-all", DIST, "--out-dir", out]);
    assert.equal(built.code, 0, built.stderr);
    const archives = [...Deno.readDirSync(out)].map((e) => e.name);
    assert.equal(archives.length, 1, archives.join(", "));
    const archive = archives[0];
    const binary = archive === `proxydhcpd-${VERSION}-linux-${Deno.build.arch}.tar.gz`;
    if (!binary) assert.equal(archive, `proxydhcpd-${VERSION}-bundle.tar.gz`);
    const top = archive.replace(/\.tar\.gz$/, "");

    const expected = [
      "INSTALL",
      "SHA256SUMS",
      ...(HAS_SAMPLE_CONFIG ? ["proxy.ini"] : []),
      "proxydhcpd",
      ...(binary ? [] : ["proxydhcpd.js"]),
      "proxydhcpd.service",
    ];
    const listed = await run("tar", ["-tzf", `${out}/${archive}`]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.stdout.trim().split("\n").sort(),
      [`${top}/`, ...expected.map((name) => `${top}/${name}`)].sort(),
    );

    const unpacked = `${dir}/unpacked`;
    await Deno.mkdir(unpacked);
    assert.equal((await run("tar", ["-xzf", `${out}/${archive}`, "-C", unpacked])).code, 0);
    const home = `${unpacked}/${top}`;
    // sha256sum -c is what INSTALL tells the admin to run; the sums are recomputed here too.
    const checked = await run("sha256sum", ["-c", "SHA256SUMS"], { cwd: home });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const sums = (await Deno.readTextFile(`${home}/SHA256SUMS`)).trim().split("\n");
    assert.deepEqual(
      sums.map((line) => line.split("  ")[1]),
      expected.filter((n) => n !== "SHA256SUMS"),
    );
    for (const line of sums) {
      const [digest, name] = line.split("  ");
      assert.equal(await sha256(`${home}/${name}`), digest, name);
    }

    // The program in the archive starts and knows its version (binary or launcher alike).
    assert.ok(((await Deno.stat(`${home}/proxydhcpd`)).mode! & 0o111) !== 0, "executable");
    const version = await run(`${home}/proxydhcpd`, ["--version"], {
      env: { DENO: Deno.execPath() },
    });
    assert.equal(version.stdout, `proxydhcpd ${VERSION}\n`, version.stderr);
    if (!binary) {
      // The launcher grants read access to whatever -c names: a missing file is reported as
      // missing, not as forbidden by the sandbox.
      for (const args of [["-c", `${dir}/none.ini`], [`--config=${dir}/none.ini`]]) {
        const missing = await run(`${home}/proxydhcpd`, args, { env: { DENO: Deno.execPath() } });
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /none\.ini: no such file/);
        assert.doesNotMatch(missing.stderr, /not allowed by Deno's permissions/);
      }
    }
    const unit = await Deno.readTextFile(`${home}/proxydhcpd.service`);
    assert.equal(
      unit,
      await Deno.readTextFile(new URL("../../dist/proxydhcpd.service", import.meta.url)),
    );
  });
});

Deno.test("dist fails, and ships nothing, when DENORT_BIN is the deno CLI", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out`;
    const built = await run(Deno.execPath(), ["run", "--allow-all", DIST, "--out-dir", out], {
      env: { DENORT_BIN: Deno.execPath() },
    });
    assert.notEqual(built.code, 0);
    assert.match(built.stderr, /is the deno CLI/);
    const left = await Array.fromAsync(Deno.readDir(out)).catch(() => []);
    assert.deepEqual(left, []);
  });
});
