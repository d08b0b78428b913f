/**
 * The host's IPv4 interfaces, and the choice of the server identity (our address) for a datagram.
 *
 * Needs `--allow-sys=networkInterfaces`. Deno.networkInterfaces() gives no ifindex, and Deno
 * 2.9.6 refuses to read /sys and /proc without --allow-all (even with --allow-read=/sys/class/net,
 * since /sys/class/net/<if> links into /sys/devices), so the ifindex comes from libc's
 * if_nametoindex when FFI is permitted (as it is for the pktinfo transport, which alone needs it),
 * from sysfs under --allow-all, and is 0 ("unknown") otherwise.
 */

import { ipv4ToNumber } from "../dhcp/ipv4.ts";
import { loadLibc } from "./libc.ts";
import type { Inbound } from "./transport.ts";

export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
}

export interface NetInterface {
  readonly name: string;
  /** Kernel interface index, as IP_PKTINFO reports it; 0 when it cannot be known. */
  readonly ifindex: number;
  readonly addresses: readonly InterfaceAddress[];
}

/** ifindex of an interface name; undefined when the interface no longer exists. */
export type IfindexResolver = (name: string) => number | undefined;

/** IPv4 interfaces in the order the OS lists them, addresses grouped per interface. */
export function listInterfaces(
  ifindexOf: IfindexResolver = defaultIfindexResolver(),
): NetInterface[] {
  const byName = new Map<string, InterfaceAddress[]>();
  for (const entry of Deno.networkInterfaces()) {
    if (entry.family !== "IPv4") continue;
    // getifaddrs reports labelled secondary addresses as "eth0:1"; the device is "eth0".
    const name = entry.name.split(":")[0];
    const addresses = byName.get(name) ?? [];
    addresses.push({ address: entry.address, prefixLength: prefixLengthOf(entry.cidr) });
    byName.set(name, addresses);
  }
  const result: NetInterface[] = [];
  for (const [name, addresses] of byName) {
    const ifindex = ifindexOf(name);
    if (ifindex !== undefined) result.push({ name, ifindex, addresses });
  }
  return result;
}

function prefixLengthOf(cidr: string): number {
  const prefix = Number(cidr.slice(cidr.indexOf("/") + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new Error(`Cannot list interfaces: unexpected IPv4 CIDR "${cidr}"`);
  }
  return prefix;
}

/** libc if_nametoindex when FFI may load libc, else sysfs when readable, else always 0. */
export function defaultIfindexResolver(): IfindexResolver {
  if (Deno.build.os !== "linux") return () => 0;
  try {
    const libc = loadLibc();
    return (name) => libc.ifNameToIndex(name) || undefined;
  } catch {
    // No FFI: only the portable transport can run, and it reports no ifindex to match.
  }
  return sysfsIfindexResolver();
}

function sysfsIfindexResolver(sysfs = "/sys/class/net"): IfindexResolver {
  return (name) => {
    const path = `${sysfs}/${name}/ifindex`;
    // Query first: reading without permission would prompt on a terminal.
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return 0;
    try {
      return Number(Deno.readTextFileSync(path).trim());
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      if (error instanceof Deno.errors.NotCapable) return 0;
      throw error;
    }
  };
}

/** True when `address` is inside `network`/`prefixLength`. */
export function inSubnet(address: string, network: string, prefixLength: number): boolean {
  if (prefixLength === 0) return true;
  const mask = (~0 << (32 - prefixLength)) >>> 0;
  return ((ipv4ToNumber(address) & mask) >>> 0) === ((ipv4ToNumber(network) & mask) >>> 0);
}

/**
 * Our address to answer `inbound` from (server identifier, siaddr, IP source), or undefined when
 * it cannot be told (no IPv4 on the receiving NIC, or a transport that reports no ifindex).
 *
 * 1. A unicast sent to one of our addresses (REQUEST to 4011, relayed DISCOVER) names it.
 * 2. Otherwise (broadcast): an address of the receiving interface: the first one listed in
 *    `preferred`, else one in the client's subnet when the client already has an address,
 *    else the interface's first.
 */
export function localAddressFor(
  inbound: Pick<Inbound, "ifindex" | "destinationAddress" | "sourceAddress">,
  interfaces: readonly NetInterface[],
  preferred: readonly string[] = [],
): string | undefined {
  const destination = inbound.destinationAddress;
  if (destination !== undefined) {
    for (const nic of interfaces) {
      if (nic.addresses.some((a) => a.address === destination)) return destination;
    }
  }
  if (inbound.ifindex === undefined) return undefined;
  const receiving = interfaces.find((nic) => nic.ifindex === inbound.ifindex);
  if (receiving === undefined || receiving.addresses.length === 0) return undefined;
  for (const wanted of preferred) {
    if (receiving.addresses.some((a) => a.address === wanted)) return wanted;
  }
  const source = inbound.sourceAddress;
  if (source !== "0.0.0.0") {
    const sameSubnet = receiving.addresses.find((a) => inSubnet(source, a.address, a.prefixLength));
    if (sameSubnet !== undefined) return sameSubnet.address;
  }
  return receiving.addresses[0].address;
}
