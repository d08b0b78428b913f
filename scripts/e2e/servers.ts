/**
 * The servers around the proxy, each a separate process in its own namespace:
 * - the primary DHCP server: dnsmasq in normal mode, addresses only, no boot options (on the
 *   routed network: a pool for the client subnet, picked by giaddr, and the router);
 * - TFTP (dnsmasq `--port=0 --enable-tftp`) and HTTP (`python3 -m http.server`), serving the
 *   bootstraps and the per-run iPXE script that prints the marker.
 */
import { waitFor } from "./command.ts";
import { RELAY_ADDRESSES, RELAYED_POOL } from "./routed.ts";
import type { Supervised, Supervisor } from "./supervisor.ts";
import { ADDRESSES, DHCP_POOL, type Topology } from "./topology.ts";

export const HTTP_PORT = 8080;
export const SCRIPT_NAME = "boot.ipxe";
export const CHAINLOAD_URL = `http://${ADDRESSES.servers}:${HTTP_PORT}/${SCRIPT_NAME}`;
const IPXE_DIR = "/usr/lib/ipxe";
export const TFTP_FILES = ["undionly.kpxe", "ipxe.efi"] as const;

/** The iPXE script: print the run's marker on the console, then reboot so QEMU exits. */
export function markerScript(runId: string): string {
  return `#!ipxe\necho BOOT-OK \${platform} \${buildarch} run=${runId}\nreboot\n`;
}

export function markerPattern(runId: string): RegExp {
  return new RegExp(`BOOT-OK (\\S+) (\\S+) run=${runId}`);
}

export async function startPrimaryDhcp(
  supervisor: Supervisor,
  topology: Topology,
): Promise<Supervised> {
  const dir = supervisor.workDir;
  const relayed = topology.kind === "relayed";
  const pool = relayed ? RELAYED_POOL : DHCP_POOL;
  const dnsmasq = supervisor.spawn("primary-dhcp", [
    "dnsmasq",
    ...dnsmasqCommon(topology),
    `--dhcp-range=${pool.first},${pool.last},255.255.255.0,10m`,
    `--dhcp-leasefile=${dir}/primary.leases`,
    // Addresses only: no DNS server, and no router on the flat network (dnsmasq would name
    // itself). Behind the relay the client needs one to reach the servers' subnet.
    relayed
      ? `--dhcp-option=option:router,${RELAY_ADDRESSES.client}`
      : "--dhcp-option=option:router",
    "--dhcp-option=option:dns-server",
    "--log-dhcp",
  ], { netns: topology.serverNs.primary });
  await waitForLog(dnsmasq, /DHCP, IP range/, "primary DHCP (dnsmasq)");
  return dnsmasq;
}

export interface FileServers {
  tftp: Supervised;
  http: Supervised;
}

export async function startFileServers(
  supervisor: Supervisor,
  topology: Topology,
  runId: string,
): Promise<FileServers> {
  const tftpRoot = `${supervisor.workDir}/tftp`;
  const httpRoot = `${supervisor.workDir}/http`;
  await Deno.mkdir(tftpRoot, { recursive: true });
  await Deno.mkdir(httpRoot, { recursive: true });
  for (const name of TFTP_FILES) await Deno.copyFile(`${IPXE_DIR}/${name}`, `${tftpRoot}/${name}`);
  await Deno.writeTextFile(`${httpRoot}/${SCRIPT_NAME}`, markerScript(runId));

  const netns = topology.serverNs.servers;
  const tftp = supervisor.spawn("tftp", [
    "dnsmasq",
    ...dnsmasqCommon(topology),
    "--enable-tftp",
    `--tftp-root=${tftpRoot}`,
  ], { netns });
  const http = supervisor.spawn("http", [
    "/usr/bin/python3",
    "-u",
    "-m",
    "http.server",
    String(HTTP_PORT),
    "--bind",
    ADDRESSES.servers,
    "--directory",
    httpRoot,
  ], { netns });
  await waitForLog(tftp, /TFTP root is/, "TFTP server (dnsmasq)");
  await waitForLog(http, /Serving HTTP/, "HTTP server (python3 -m http.server)");
  return { tftp, http };
}

/** dnsmasq flags shared by every instance: foreground, no DNS, no system config, log to stderr. */
export function dnsmasqCommon(topology: Topology, interfaces = [topology.serverIf]): string[] {
  return [
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    "--log-facility=-",
    "--port=0",
    ...interfaces.map((name) => `--interface=${name}`),
    "--bind-interfaces",
    "--user=root",
    "--group=root",
    "--pid-file=",
  ];
}

export async function waitForLog(
  process: Supervised,
  pattern: RegExp,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const text = () => process.stdout() + process.stderr();
  const ok = await waitFor(() => pattern.test(text()) || process.exited() || undefined, timeoutMs);
  if (!ok || !pattern.test(text())) {
    const detail = text().trim().split("\n").slice(-5).join(" | ") || "no output";
    throw new Error(`Cannot start ${what}: ${process.exited() ? "exited" : "timeout"}: ${detail}`);
  }
}
