/**
 * Transport over Deno.listenDatagram, for non-Linux development or when FFI is not allowed.
 *
 * Limits (docs toolchain.md "UDP, broadcast and interfaces"): no receiving interface, no
 * destination address, and broadcast replies follow the routing table (NetworkUnreachable without
 * a default route; the default-route NIC on multi-homed hosts). `Outbound.ifindex` and
 * `Outbound.sourceAddress` are ignored.
 */

import type { Inbound, Outbound, Transport, UdpEndpoint } from "./transport.ts";

export class PortableTransport implements Transport {
  readonly name = "portable";

  open(port: number): PortableEndpoint {
    return new PortableEndpoint(port);
  }
}

export class PortableEndpoint implements UdpEndpoint {
  readonly port: number;
  readonly #conn: Deno.DatagramConn;
  #closed = false;

  constructor(port: number) {
    // 0.0.0.0 explicitly: a socket bound to one address receives no broadcasts. No reuseAddress:
    // two daemons sharing the port would both answer every DISCOVER.
    this.#conn = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port });
    this.port = (this.#conn.addr as Deno.NetAddr).port;
  }

  /** One datagram per call (Deno offers no way to see what else is queued). */
  async receive(): Promise<Inbound[]> {
    const [data, from] = await this.#conn.receive();
    const { hostname, port } = from as Deno.NetAddr;
    return [{ data, sourceAddress: hostname, sourcePort: port }];
  }

  async send(data: Uint8Array, to: Outbound): Promise<void> {
    await this.#conn.send(data, { transport: "udp", hostname: to.address, port: to.port });
  }

  /** Idempotent; a pending receive() rejects with Deno.errors.Interrupted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }
}
