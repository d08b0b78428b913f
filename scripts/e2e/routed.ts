/**
 * The routed variant of the test network (issue "Networks as they really are"): the VM on its
 * own segment, 10.99.1.0/24, behind a router that runs a DHCP relay (relay.ts); the servers stay
 * on 10.99.0.0/24 with their usual addresses. Only specific routes, never a default route: the
 * server namespaces reach the client subnet via the router, and the client learns the router
 * from the primary's option 3.
 */
import { run } from "./command.ts";
import type { Topology } from "./topology.ts";

/** The servers' bridge, in the bridge namespace next to br0 (the VM's segment). */
export const RELAY_BRIDGE = "br1";
export const CLIENT_SUBNET = "10.99.1.0/24";
/** The router's two addresses: `client` is the giaddr the relay writes, and option 3. */
export const RELAY_ADDRESSES = { server: "10.99.0.1", client: "10.99.1.1" } as const;
/** The primary's pool for relayed requests, chosen by giaddr (RFC 2131 §4.3.1). */
export const RELAYED_POOL = { first: "10.99.1.100", last: "10.99.1.199" } as const;
/** The router's interfaces, in its own namespace. */
export const RELAY_IF = { client: "client0", server: "server0" } as const;

type Side = keyof typeof RELAY_IF;
type Ip = (ns: string, ...args: string[]) => Promise<string>;

/** Adds the router namespace between br0 and the servers' bridge, and the servers' routes. */
export async function addRelay(t: Topology, ip: Ip): Promise<void> {
  const relay = t.relayNs;
  if (!relay) throw new Error("Cannot add the relay: the topology has no relay namespace");
  const bridges: Record<Side, string> = { client: t.bridge, server: t.serverBridge };
  for (const side of ["client", "server"] as const) {
    const port = `v-relay-${side}`;
    const inner = RELAY_IF[side];
    await ip(
      t.bridgeNs,
      "link",
      "add",
      port,
      "type",
      "veth",
      "peer",
      "name",
      inner,
      "netns",
      relay,
    );
    await ip(t.bridgeNs, "link", "set", port, "master", bridges[side], "up");
    await ip(relay, "addr", "add", `${RELAY_ADDRESSES[side]}/24`, "dev", inner);
    await ip(relay, "link", "set", inner, "up");
  }
  // A new namespace starts with forwarding off; without it the 4011, TFTP and HTTP legs die here.
  await run(
    "ip",
    ["netns", "exec", relay, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"],
    `enable IPv4 forwarding in ${relay}`,
  );
  for (const ns of Object.values(t.serverNs)) {
    await ip(ns, "route", "add", CLIENT_SUBNET, "via", RELAY_ADDRESSES.server);
  }
}
