/**
 * The daemon's Deno permission flags for builds and docs. The flags themselves live in
 * src/permissions.ts (the daemon needs them at run time to re-spawn itself for `-d`); this adds
 * what only a build knows: the install path, the libc of another CPU, and the bundle's command.
 * `deno run scripts/permissions.ts` prints the release flags, one per line.
 *
 * Measured on Deno 2.9.6 while choosing them:
 * - `/sys/class/net` is not granted: Deno demands --allow-all for any path under /sys, even with
 *   --allow-read=/sys; interface indexes come from libc's if_nametoindex over the FFI grant.
 * - `0.0.0.0/0:<port>` covers both the bind to 0.0.0.0:<port> and every send to <port>.
 * - `--allow-run` names one executable: the compiled binary re-spawns itself for `-d`, with the
 *   same baked grants. The bundle gets none: allowing it to run `deno` would allow `deno run -A`.
 */
import { daemonPermissionFlags, type DaemonPermissionOptions } from "../src/permissions.ts";
import { DEFAULT_CONFIG_PATH, DEFAULT_PORTS } from "../src/config/model.ts";
import { LIBC_PATH } from "../src/net/libc.ts";

export { DEFAULT_CONFIG_PATH, DEFAULT_PORTS };
export { daemonPermissionFlags, type DaemonPermissionOptions };

/** Where the release binary is installed (the unit's ExecStart). */
export const DEFAULT_INSTALL_PATH = "/usr/local/bin/proxydhcpd";

/** Debian multiarch libc per CPU, for builds whose target is not the running machine. */
const LIBC_BY_ARCH: Readonly<Record<string, string>> = {
  x86_64: "/lib/x86_64-linux-gnu/libc.so.6",
  aarch64: "/lib/aarch64-linux-gnu/libc.so.6",
};

/** The libc the daemon opens on `arch` (a `Deno.build.arch` value). */
export function libcPathFor(arch: string = Deno.build.arch): string {
  if (arch === Deno.build.arch) return LIBC_PATH;
  const path = LIBC_BY_ARCH[arch];
  if (path === undefined) throw new Error(`Cannot choose a libc path: unknown arch ${arch}`);
  return path;
}

/**
 * `deno run` and its flags, up to the script path: `--no-config` so a stray deno.json in the
 * working directory changes nothing, and so `--unstable-net` spelled out (Deno.listenDatagram is
 * still unstable and deno.json's `unstable` list goes with `--no-config`).
 */
export function bundleRunFlags(options: DaemonPermissionOptions = {}): string[] {
  return ["run", "--no-config", "--unstable-net", ...daemonPermissionFlags(options)];
}

if (import.meta.main) {
  console.log(daemonPermissionFlags({ runs: DEFAULT_INSTALL_PATH }).join("\n"));
}
