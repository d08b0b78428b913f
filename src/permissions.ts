/**
 * The daemon's Deno permission flags: the one place that says what `src/main.ts` may touch.
 * `deno task compile` bakes them into the binary; `-d` (under `deno run`) re-spawns the daemon
 * with them; the tests and the README use them. Every grant is scoped, and `--no-prompt` turns a
 * missing grant into an error instead of a hung prompt.
 */
import { DEFAULT_CONFIG_PATH, DEFAULT_PORTS, type Ports } from "./config/model.ts";
import { LIBC_PATH } from "./net/libc.ts";

export interface DaemonPermissionOptions {
  /** The INI file the daemon reads at start and on SIGHUP. */
  readonly configPath?: string;
  readonly ports?: Ports;
  /** The libc granted to FFI; defaults to this machine's. */
  readonly libcPath?: string;
  /** Files the daemon writes in `-d` mode (PID file, log file). */
  readonly writes?: readonly string[];
  /** `-d` under `deno run`: the parent re-executes this one executable, detached. */
  readonly runs?: string;
}

/** The minimal flags for `deno run`/`deno compile` of src/main.ts, in a stable order. */
export function daemonPermissionFlags(options: DaemonPermissionOptions = {}): string[] {
  const configPath = options.configPath ?? DEFAULT_CONFIG_PATH;
  const { dhcp, pxe, client } = options.ports ?? DEFAULT_PORTS;
  const libc = options.libcPath ?? LIBC_PATH;
  const writes = options.writes ?? [];
  for (const path of [configPath, libc, ...writes]) {
    // Deno splits grant lists on commas; a comma inside a path would widen or break the grant.
    if (path.includes(",")) throw new Error(`Cannot grant access to ${path}: path has a comma`);
  }
  const flags = [
    "--no-prompt",
    // The config file only (read at start and again on SIGHUP).
    `--allow-read=${configPath}`,
    // Deno.networkInterfaces(): names, addresses and netmasks of the NICs we may serve.
    "--allow-sys=networkInterfaces",
    // The Linux transport: socket/recvmmsg/sendmmsg with IP_PKTINFO through libc (toolchain.md);
    // also if_nametoindex and, with -d, syslog.
    `--allow-ffi=${libc}`,
    // The portable transport (Deno.listenDatagram) checks the bind and every send. One CIDR
    // entry per port covers both: <dhcp> binds 0.0.0.0:<dhcp> and replies to relays
    // (giaddr:<dhcp>); <pxe> binds 0.0.0.0:<pxe> and replies to EDK2, which asks from port <pxe>;
    // <client> carries broadcast and unicast replies to clients.
    `--allow-net=${[...new Set([dhcp, pxe, client])].map((port) => `0.0.0.0/0:${port}`).join(",")}`,
  ];
  if (writes.length > 0) flags.push(`--allow-write=${writes.join(",")}`);
  if (options.runs !== undefined) flags.push(`--allow-run=${options.runs}`);
  return flags;
}
