/** Where a reply goes (RFC 2131 §4.1, protocol.md §6). Pure. */
import type { Ports } from "../config/model.ts";
import type { DhcpPacket } from "../dhcp/packet.ts";
import { ANY, BROADCAST } from "../dhcp/ipv4.ts";
import type { Port } from "./decision.ts";

export type DestinationKind = "relay" | "broadcast" | "source";

export interface Destination {
  readonly kind: DestinationKind;
  readonly address: string;
  readonly port: number;
}

export function replyDestination(
  request: DhcpPacket,
  port: Port,
  source: { address: string; port: number },
  ports: Ports,
): Destination {
  if (port === "pxe" && source.address !== ANY) {
    // The 4011 ACK goes back to the request's source address and port: EDK2 listens on 4011,
    // iPXE and BIOS ROMs on 68 (pitfall 10). Relayed clients own a routable address by now.
    return { kind: "source", address: source.address, port: source.port };
  }
  if (request.giaddr !== ANY) {
    // Relayed: unicast to the relay's server port; it forwards on the client's segment (pitfall 13).
    return { kind: "relay", address: request.giaddr, port: ports.dhcp };
  }
  // The client has no address yet: broadcast on the segment it came from.
  return { kind: "broadcast", address: BROADCAST, port: ports.client };
}
