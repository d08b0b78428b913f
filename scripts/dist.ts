/**
 * `deno task dist`: the release archive.
 *
 * - With a denort runtime (see compile.ts): `dist/proxydhcpd-<version>-linux-<arch>.tar.gz`
 *   holding the single binary.
 * - Without one (air-gapped build machines, toolchain.md): `dist/proxydhcpd-<version>-bundle.tar.gz`
 *   holding `proxydhcpd.js` and a `proxydhcpd` launcher that runs it on an installed Deno with
 *   the daemon's permission flags. A fake runtime still fails the task: that is a broken build
 *   machine, not a missing download.
 *
 * Both also hold the systemd unit, `proxy.ini` (when dist/proxy.ini exists), INSTALL and
 * SHA256SUMS. Usage: `deno task dist [--bundle] [--out-dir DIR]`.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { compile, defaultCompileOptions, expectedVersionLine } from "./compile.ts";
import { bundle } from "./bundle.ts";
import { bundleRunFlags, DEFAULT_CONFIG_PATH, DEFAULT_INSTALL_PATH } from "./permissions.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const UNIT = `${ROOT}/dist/proxydhcpd.service`;
const SAMPLE_CONFIG = `${ROOT}/dist/proxy.ini`;
/** Where the bundle variant is unpacked; the launcher is linked to DEFAULT_INSTALL_PATH. */
const BUNDLE_HOME = "/usr/local/lib/proxydhcpd";

export interface DistResult {
  readonly archive: string;
  readonly kind: "binary" | "bundle";
  /** Names inside the archive's top directory, sorted. */
  readonly files: string[];
  /** Why there is no binary, when kind is "bundle". */
  readonly note?: string;
}

/** Builds the archive into `outDir`. Throws "Cannot …" errors (a fake denort among them). */
export async function dist(
  outDir = `${ROOT}/dist`,
  options: { forceBundle?: boolean } = {},
): Promise<DistResult> {
  const version = (await expectedVersionLine()).slice("proxydhcpd ".length).trim();
  if (version === "") throw new Error("Cannot build a release: src/version.ts has no VERSION");
  await Deno.mkdir(outDir, { recursive: true });
  const stage = await Deno.makeTempDir({ prefix: "proxydhcpd-dist-" });
  try {
    const arch = Deno.build.arch;
    let kind: DistResult["kind"] = "bundle";
    let note: string | undefined;
    let top = `proxydhcpd-${version}-bundle`;
    if (!options.forceBundle) {
      const binaryTop = `proxydhcpd-${version}-linux-${arch}`;
      await Deno.mkdir(`${stage}/${binaryTop}`);
      const output = `${stage}/${binaryTop}/proxydhcpd`;
      const built = await compile({ ...defaultCompileOptions(), output });
      if (built.outcome === "built") {
        kind = "binary";
        top = binaryTop;
      } else if (built.outcome === "no-runtime") {
        note = built.message;
        await Deno.remove(`${stage}/${binaryTop}`, { recursive: true });
      } else {
        throw new Error(built.message);
      }
    }
    const dir = `${stage}/${top}`;
    if (kind === "bundle") {
      await Deno.mkdir(dir);
      await bundle(`${dir}/proxydhcpd.js`);
      await Deno.writeTextFile(`${dir}/proxydhcpd`, launcherScript(version), { mode: 0o755 });
      await Deno.chmod(`${dir}/proxydhcpd`, 0o755);
    }
    await Deno.copyFile(UNIT, `${dir}/proxydhcpd.service`);
    if (await exists(SAMPLE_CONFIG)) await Deno.copyFile(SAMPLE_CONFIG, `${dir}/proxy.ini`);
    await Deno.writeTextFile(`${dir}/INSTALL`, installText(version, kind));

    const files = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    const sums = await Promise.all(
      files.map(async (name) => `${await sha256(`${dir}/${name}`)}  ${name}`),
    );
    await Deno.writeTextFile(`${dir}/SHA256SUMS`, `${sums.join("\n")}\n`);
    files.push("SHA256SUMS");
    files.sort();

    const archive = `${outDir}/${top}.tar.gz`;
    await tar(stage, top, archive);
    return { archive, kind, files, note };
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

/** Hex SHA-256 of a file, as `sha256sum` prints it. */
export async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The bundle's launcher. It grants read access to exactly the config file named by -c (the
 * default otherwise), so `-c` keeps working, unlike in the compiled binary, whose grant is fixed.
 */
function launcherScript(version: string): string {
  const [run, ...rest] = bundleRunFlags();
  const fixed = rest.filter((flag) => !flag.startsWith("--allow-read="));
  return `#!/bin/sh
# proxydhcpd ${version} launcher: runs proxydhcpd.js (next to this script) on Deno 2 with the
# daemon's minimal permissions (docs/packaging.md). Set DENO=/path/to/deno if deno is not on PATH.
# The udp ports granted are 67, 4011 and 68; a [server] section with other ports needs other flags.
set -eu
here=$(dirname "$(readlink -f "$0")")
config=${DEFAULT_CONFIG_PATH}
previous=
for arg in "$@"; do
  case $previous in -c|--config) config=$arg ;; esac
  case $arg in --config=*) config=\${arg#--config=} ;; -c?*) config=\${arg#-c} ;; esac
  previous=$arg
done
case $config in *,*) echo "proxydhcpd: config path must not contain a comma: $config" >&2; exit 2 ;; esac
# A DHCP server has no business asking the internet for Deno updates.
export DENO_NO_UPDATE_CHECK=1
exec "\${DENO:-deno}" ${run} ${fixed.join(" ")} \\
  --allow-read="$config" "$here/proxydhcpd.js" "$@"
`;
}

function installText(version: string, kind: DistResult["kind"]): string {
  const program = kind === "binary"
    ? `  install -m 0755 proxydhcpd ${DEFAULT_INSTALL_PATH}`
    : `  # needs Deno 2.x on PATH (e.g. npm install -g deno@2, or the deno binary in /usr/local/bin)
  install -d ${BUNDLE_HOME}
  install -m 0644 proxydhcpd.js ${BUNDLE_HOME}/
  install -m 0755 proxydhcpd ${BUNDLE_HOME}/
  ln -sf ${BUNDLE_HOME}/proxydhcpd ${DEFAULT_INSTALL_PATH}`;
  return `proxydhcpd ${version}: ProxyDHCP server for PXE boot (${kind} build)

1. Check the files:           sha256sum -c SHA256SUMS
2. Install the program:
${program}
3. Configure:
  install -d -m 0755 /etc/proxydhcpd
  install -m 0644 proxy.ini ${DEFAULT_CONFIG_PATH}    # then edit it
  ${DEFAULT_INSTALL_PATH} --version
4. Run it under systemd:
  install -m 0644 proxydhcpd.service /etc/systemd/system/
  systemctl daemon-reload && systemctl enable --now proxydhcpd
  journalctl -u proxydhcpd -f          # reload the config with: systemctl reload proxydhcpd

The program may read only ${DEFAULT_CONFIG_PATH}${
    kind === "binary" ? " (fixed when it was built)" : " or the file given with -c"
  } and may use only udp ports 67, 4011 and 68.
`;
}

/** A reproducible tarball: sorted names, root-owned, fixed mtime, no gzip timestamp. */
async function tar(parent: string, top: string, archive: string): Promise<void> {
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH") ?? await commitTime();
  const result = await new Deno.Command("tar", {
    args: [
      "--sort=name",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      `--mtime=@${epoch}`,
      "--use-compress-program=gzip -n",
      "-cf",
      archive,
      "-C",
      parent,
      top,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`Cannot write ${archive}: ${new TextDecoder().decode(result.stderr).trim()}`);
  }
}

async function commitTime(): Promise<string> {
  const result = await new Deno.Command("git", {
    args: ["log", "-1", "--format=%ct"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const text = result?.success ? new TextDecoder().decode(result.stdout).trim() : "";
  return /^\d+$/.test(text) ? text : String(Math.floor(Date.now() / 1000));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    strict: true,
    options: { bundle: { type: "boolean" }, "out-dir": { type: "string" } },
  });
  try {
    const result = await dist(values["out-dir"], { forceBundle: values.bundle });
    if (result.note !== undefined) console.error(`${result.note}\nShipping the bundle instead.`);
    console.log(`Built ${result.archive}: ${result.files.join(", ")}`);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
