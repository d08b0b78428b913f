/**
 * The DHCP relay on the router (routed.ts): dnsmasq's relay mode, relaying every request from
 * the client segment to both the primary DHCP server and the proxy under test, as an ip-helper
 * with two targets does (protocol.md §6: the helper must list the proxy). dnsmasq writes
 * giaddr = its client-side address and forwards the servers' replies onto the client segment.
 */
import { RELAY_ADDRESSES, RELAY_IF } from "./routed.ts";
import { dnsmasqCommon, waitForLog } from "./servers.ts";
import type { Supervised, Supervisor } from "./supervisor.ts";
import { ADDRESSES, type Topology } from "./topology.ts";

/** Who the relay forwards to, in order. */
export const RELAY_TARGETS = [ADDRESSES.primary, ADDRESSES.proxy] as const;

export function relayArgs(topology: Topology): string[] {
  return [
    // Both sides: requests arrive on the client side, the servers' replies on the server side.
    ...dnsmasqCommon(topology, [RELAY_IF.client, RELAY_IF.server]),
    // man dnsmasq: several --dhcp-relay with one local address relay to several servers.
    ...RELAY_TARGETS.map((server) => `--dhcp-relay=${RELAY_ADDRESSES.client},${server}`),
    "--log-dhcp",
  ];
}

export async function startRelay(supervisor: Supervisor, topology: Topology): Promise<Supervised> {
  if (!topology.relayNs) throw new Error("Cannot start the relay: the network has no router");
  const relay = supervisor.spawn("relay", ["dnsmasq", ...relayArgs(topology)], {
    netns: topology.relayNs,
  });
  await waitForLog(relay, /DHCP relay from/, "DHCP relay (dnsmasq --dhcp-relay)");
  return relay;
}
