/**
 * The isolated PXE network: one namespace with a bridge and the VM's tap, and one namespace per
 * server (primary DHCP, ProxyDHCP, TFTP+HTTP) joined to the bridge by a veth pair. 10.99.0.0/24,
 * no default route anywhere (real-firmware.md "Topology that works"): isolated PXE networks
 * usually have none, and a proxy must reach its clients without one.
 * The `relayed` kind moves the VM to its own segment behind a DHCP relay (routed.ts); the
 * servers keep their addresses.
 *
 * Namespace names carry a fixed prefix and the owning process's PID, so a later run can sweep
 * the namespaces of a run that died (SIGKILL, power loss) without touching a live one.
 */
import { run, runSync } from "./command.ts";
import { ensureGuardian } from "./guardian.ts";
import { addRelay, RELAY_BRIDGE } from "./routed.ts";

export const NETNS_PREFIX = "pxe2e-";

export const ADDRESSES = {
  primary: "10.99.0.2",
  proxy: "10.99.0.3",
  servers: "10.99.0.4",
} as const;

export const DHCP_POOL = { first: "10.99.0.100", last: "10.99.0.199" } as const;

export type ServerRole = keyof typeof ADDRESSES;

/** `flat`: VM and servers on one segment. `relayed`: VM on its own subnet behind a relay. */
export type NetworkKind = "flat" | "relayed";

export interface Topology {
  readonly kind: NetworkKind;
  /** Holds br0 (the VM's segment) and the VM's tap; QEMU and tcpdump run here. */
  readonly bridgeNs: string;
  readonly serverNs: Readonly<Record<ServerRole, string>>;
  /** The relay's namespace (`relayed` only): a router between the two segments. */
  readonly relayNs?: string;
  /** Each server namespace's veth end is called this. */
  readonly serverIf: string;
  readonly tap: string;
  readonly bridge: string;
  /** The servers' segment: `bridge` when flat, a second bridge (in bridgeNs) when relayed. */
  readonly serverBridge: string;
}

const ROLES: readonly ServerRole[] = ["primary", "proxy", "servers"];

export function allNamespaces(topology: Topology): string[] {
  const relay = topology.relayNs ? [topology.relayNs] : [];
  return [topology.bridgeNs, ...ROLES.map((role) => topology.serverNs[role]), ...relay];
}

export async function createTopology(kind: NetworkKind = "flat"): Promise<Topology> {
  ensureGuardian(`${NETNS_PREFIX}${Deno.pid}-`);
  const tag = `${NETNS_PREFIX}${Deno.pid}-${crypto.randomUUID().slice(0, 6)}`;
  const topology: Topology = {
    kind,
    bridgeNs: `${tag}-br`,
    serverNs: { primary: `${tag}-dhcp`, proxy: `${tag}-proxy`, servers: `${tag}-srv` },
    relayNs: kind === "relayed" ? `${tag}-relay` : undefined,
    serverIf: "eth0",
    tap: "tap0",
    bridge: "br0",
    serverBridge: kind === "relayed" ? RELAY_BRIDGE : "br0",
  };
  try {
    await build(topology);
  } catch (error) {
    await destroyTopology(topology);
    throw error;
  }
  return topology;
}

async function build(t: Topology): Promise<void> {
  for (const ns of allNamespaces(t)) {
    await run("ip", ["netns", "add", ns], `create namespace ${ns}`);
    await ip(ns, "link", "set", "lo", "up");
  }
  const br = t.bridgeNs;
  for (const bridge of new Set([t.bridge, t.serverBridge])) await addBridge(br, bridge);
  await ip(br, "tuntap", "add", "dev", t.tap, "mode", "tap");
  await ip(br, "link", "set", t.tap, "master", t.bridge, "up");
  for (const role of ROLES) {
    const ns = t.serverNs[role];
    const port = `v-${role}`;
    await ip(br, "link", "add", port, "type", "veth", "peer", "name", t.serverIf, "netns", ns);
    await ip(br, "link", "set", port, "master", t.serverBridge, "up");
    await ip(ns, "addr", "add", `${ADDRESSES[role]}/24`, "dev", t.serverIf);
    await ip(ns, "link", "set", t.serverIf, "up");
  }
  if (t.kind === "relayed") await addRelay(t, ip);
  const routed = await namespacesWithDefaultRoute(t);
  if (routed.length > 0) {
    throw new Error(`Cannot build the test network: default route in ${routed.join(", ")}`);
  }
}

async function addBridge(ns: string, bridge: string): Promise<void> {
  await ip(ns, "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
  await ip(ns, "link", "set", bridge, "up");
}

function ip(ns: string, ...args: string[]): Promise<string> {
  return run("ip", ["-n", ns, ...args], `run ip -n ${ns} ${args.join(" ")}`);
}

/** Namespaces that have an IPv4 or IPv6 default route; the suite requires none. */
export async function namespacesWithDefaultRoute(t: Topology): Promise<string[]> {
  const routed: string[] = [];
  for (const ns of allNamespaces(t)) {
    const v4 = await run("ip", ["-n", ns, "-4", "route", "show", "default"]);
    const v6 = await run("ip", ["-n", ns, "-6", "route", "show", "default"]);
    if (v4.trim() || v6.trim()) routed.push(ns);
  }
  return routed;
}

/** Kills whatever still runs in the namespaces (by PID), then deletes them. */
export async function destroyTopology(t: Topology): Promise<void> {
  for (const ns of allNamespaces(t)) await destroyNamespace(ns);
}

export function destroyTopologySync(t: Topology): void {
  for (const ns of allNamespaces(t)) destroyNamespaceSync(ns);
}

async function destroyNamespace(ns: string): Promise<void> {
  if (!(await listNamespaces()).includes(ns)) return;
  for (const pid of parsePids(await run("ip", ["netns", "pids", ns]))) killPid(pid);
  await run("ip", ["netns", "del", ns], `delete namespace ${ns}`);
}

function destroyNamespaceSync(ns: string): void {
  try {
    for (const pid of parsePids(runSync("ip", ["netns", "pids", ns]))) killPid(pid);
    runSync("ip", ["netns", "del", ns]);
  } catch {
    // Already gone.
  }
}

function parsePids(text: string): number[] {
  return text.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
}

function killPid(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Exited meanwhile.
  }
}

export async function listNamespaces(): Promise<string[]> {
  // Lines look like "name (id: 3)" or just "name".
  return (await run("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0]).filter(
    Boolean,
  );
}

/**
 * Deletes namespaces left by runs whose owning process is gone. Returns their names.
 * A namespace whose owner is alive belongs to a concurrent run and is left alone.
 */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((ns) => {
    const match = ns.match(/^pxe2e-(\d+)-/);
    return match !== null && !processAlive(Number(match[1]));
  });
  for (const ns of stale) await destroyNamespace(ns);
  return stale;
}

/** A live (not zombie) deno process; PID 1 in some containers never reaps zombies. */
function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return stat.includes("(deno)") && state !== "Z";
  } catch {
    return false;
  }
}
