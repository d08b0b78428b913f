/**
 * The ProxyDHCP server under test, pluggable:
 * - `proxydhcpd`: this project, started the way an admin starts it (`deno run` with the
 *   documented permission flags, reading an INI file in the original proxyDHCPd format);
 * - `dnsmasq`: dnsmasq in proxy mode, a reference used to validate the network, the firmware
 *   and the marker flow independently of proxydhcpd.
 */
import { ARCH_BY_NAME } from "../../src/pxe/arch.ts";
import { daemonPermissionFlags } from "../../src/permissions.ts";
import { run, waitFor } from "./command.ts";
import { CLIENT_SUBNET } from "./routed.ts";
import { CHAINLOAD_URL, dnsmasqCommon } from "./servers.ts";
import type { Supervised, Supervisor } from "./supervisor.ts";
import { ADDRESSES, type Topology } from "./topology.ts";

export type ProxyKind = "proxydhcpd" | "dnsmasq";
export const PROXY_KINDS: readonly ProxyKind[] = ["proxydhcpd", "dnsmasq"];

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const MAIN_SCRIPT = "src/main.ts";
const LEGACY_BOOTSTRAP = "undionly.kpxe";
const EFI_BOOTSTRAP = "ipxe.efi";

export interface ProxySetup {
  /** Extra `[bootstrap]` entries: arch name (src/pxe/arch.ts) → boot file. */
  bootstrap?: Readonly<Record<string, string>>;
}

/** One decision log line of proxydhcpd, flattened (logtape nests fields under `properties`). */
export type Decision = Record<string, unknown>;

export interface RunningProxy {
  readonly kind: ProxyKind;
  readonly process: Supervised;
  /** The config file given to the proxy (INI or dnsmasq flags), for reports. */
  readonly config: string;
  decisions(): Decision[];
  logLines(): string[];
}

export function startProxy(
  kind: ProxyKind,
  supervisor: Supervisor,
  topology: Topology,
  setup: ProxySetup,
  name = "proxy",
): Promise<RunningProxy> {
  return kind === "proxydhcpd"
    ? startProxydhcpd(supervisor, topology, setup, name)
    : startDnsmasqProxy(supervisor, topology, setup, name);
}

// ---- proxydhcpd ----

export function proxydhcpdIni(setup: ProxySetup): string {
  const lines = [
    "[proxy]",
    `listen_address=${ADDRESSES.proxy}`,
    `tftpd=${ADDRESSES.servers}`,
    "[ipxe]",
    "enabled=true",
    `legacy_bootstrap=${LEGACY_BOOTSTRAP}`,
    `efi_bootstrap=${EFI_BOOTSTRAP}`,
    `chainload_url=${CHAINLOAD_URL}`,
  ];
  const extra = Object.entries(setup.bootstrap ?? {});
  if (extra.length) lines.push("[bootstrap]", ...extra.map(([arch, file]) => `${arch} = ${file}`));
  return lines.join("\n") + "\n";
}

/** The documented admin command line: `deno run` with src/permissions.ts's flags and our INI. */
export function proxydhcpdCommand(configPath: string): string[] {
  return [
    Deno.execPath(),
    "run",
    ...daemonPermissionFlags({ configPath }),
    MAIN_SCRIPT,
    "-c",
    configPath,
  ];
}

async function startProxydhcpd(
  supervisor: Supervisor,
  topology: Topology,
  setup: ProxySetup,
  name: string,
): Promise<RunningProxy> {
  const config = proxydhcpdIni(setup);
  const configPath = `${supervisor.workDir}/${name}.ini`;
  await Deno.writeTextFile(configPath, config);
  const process = supervisor.spawn(name, proxydhcpdCommand(configPath), {
    netns: topology.serverNs.proxy,
    cwd: REPO_ROOT,
  });
  await waitListening(process, topology, "proxydhcpd");
  return {
    kind: "proxydhcpd",
    process,
    config,
    decisions: () => parseDecisions(process.stdout()),
    logLines: () => lines(process.stdout() + process.stderr()),
  };
}

export function parseDecisions(stdout: string): Decision[] {
  const decisions: Decision[] = [];
  for (const line of lines(stdout)) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const properties = typeof parsed.properties === "object" && parsed.properties !== null
        ? parsed.properties as Record<string, unknown>
        : {};
      const flat = { ...parsed, ...properties };
      if ("action" in flat) decisions.push(flat);
    } catch {
      // A non-JSON line; kept in logLines() for the report.
    }
  }
  return decisions;
}

// ---- dnsmasq as the reference proxy ----

/** dnsmasq's client system type names (man dnsmasq, --pxe-service). */
const DNSMASQ_CSA: Record<string, string> = {
  "x86-bios": "x86PC",
  "ia32-uefi": "IA32_EFI",
  "x64-uefi": "x86-64_EFI",
  "x64-uefi-bc": "BC_EFI",
  "arm64-uefi": "ARM64_EFI",
};

export function dnsmasqProxyArgs(topology: Topology, setup: ProxySetup): string[] {
  const service = (tag: string, arch: string, file: string) => {
    const csa = DNSMASQ_CSA[arch] ?? String(ARCH_BY_NAME.get(arch)?.code ?? arch);
    return `--pxe-service=tag:${tag},${csa},Boot,${file},${ADDRESSES.servers}`;
  };
  const firmware: [string, string][] = [
    ["x86-bios", LEGACY_BOOTSTRAP],
    // dnsmasq maps 7 and 9 to different names; x64 firmware sends either (real-firmware.md).
    ["x64-uefi", EFI_BOOTSTRAP],
    ["x64-uefi-bc", EFI_BOOTSTRAP],
    ...Object.entries(setup.bootstrap ?? {}),
  ];
  return [
    ...dnsmasqCommon(topology),
    `--dhcp-range=${ADDRESSES.proxy},proxy`,
    // Relayed requests match a range by giaddr, so the routed client subnet needs its own.
    ...(topology.kind === "relayed" ? [`--dhcp-range=${CLIENT_SUBNET.split("/")[0]},proxy`] : []),
    "--log-dhcp",
    // iPXE announces itself with option 175; it gets the script instead of a bootstrap.
    "--dhcp-match=set:ipxe,175",
    ...firmware.map(([arch, file]) => service("!ipxe", arch, file)),
    ...["x86-bios", "x64-uefi", "x64-uefi-bc"].map((arch) =>
      `--pxe-service=tag:ipxe,${DNSMASQ_CSA[arch]},Chain,${CHAINLOAD_URL}`
    ),
  ];
}

async function startDnsmasqProxy(
  supervisor: Supervisor,
  topology: Topology,
  setup: ProxySetup,
  name: string,
): Promise<RunningProxy> {
  const args = dnsmasqProxyArgs(topology, setup);
  const process = supervisor.spawn(name, ["dnsmasq", ...args], {
    netns: topology.serverNs.proxy,
  });
  await waitListening(process, topology, "dnsmasq (proxy mode)");
  return {
    kind: "dnsmasq",
    process,
    config: args.join("\n"),
    decisions: () => [],
    logLines: () => lines(process.stdout() + process.stderr()),
  };
}

// ---- shared ----

/** Ready means bound to udp/67 and udp/4011 in the proxy's namespace (log-format agnostic). */
async function waitListening(process: Supervised, topology: Topology, what: string) {
  const ns = topology.serverNs.proxy;
  const bound = async () => {
    if (process.exited()) return false;
    const sockets = await run("ip", ["netns", "exec", ns, "ss", "-H", "-u", "-l", "-n"]);
    return /:67\s/.test(sockets) && /:4011\s/.test(sockets) ? true : undefined;
  };
  const ok = await waitFor(bound, 15_000, 100);
  if (!ok) {
    await waitFor(() => process.exited() || undefined, 500);
    const detail = lines(process.stdout() + process.stderr()).slice(-8).join(" | ");
    const state = process.exited() ? "it exited" : "not listening on udp/67 and udp/4011";
    throw new Error(`Cannot start ${what}: ${state}: ${detail || "no output"}`);
  }
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}
