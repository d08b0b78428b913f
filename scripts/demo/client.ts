/**
 * A minimal PXE client for the demo and the loopback tests: sends real fixture packets and
 * collects the replies that match their xid. It listens on 0.0.0.0 so it also hears broadcast
 * OFFERs, like a real client on port 68.
 */
import { decodePacket, type DhcpPacket } from "../../src/dhcp/packet.ts";

export interface ReceivedReply {
  readonly packet: DhcpPacket;
  readonly from: Deno.NetAddr;
}

export class DemoClient {
  readonly #socket: Deno.DatagramConn;
  readonly #pending: ReceivedReply[] = [];
  #waiter?: () => void;
  readonly #reading: Promise<void>;

  constructor(readonly port: number) {
    this.#socket = Deno.listenDatagram({ hostname: "0.0.0.0", port, transport: "udp" });
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for await (const [data, from] of this.#socket) {
        try {
          this.#pending.push({ packet: decodePacket(data), from: from as Deno.NetAddr });
        } catch { /* not DHCP: ignore */ }
        this.#waiter?.();
      }
    } catch { /* closed */ }
  }

  /** Sends `bytes` to 127.0.0.1:`port` and returns the replies with the same xid. */
  async exchange(
    bytes: Uint8Array,
    port: number,
    waitMs = 300,
    /** Return as soon as one reply matched, instead of collecting until `waitMs`. */
    first = false,
    host = "127.0.0.1",
  ): Promise<ReceivedReply[]> {
    const xid = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4);
    await this.#socket.send(bytes, { transport: "udp", hostname: host, port });
    const deadline = Date.now() + waitMs;
    const matches: ReceivedReply[] = [];
    while (Date.now() < deadline) {
      for (let i = this.#pending.length - 1; i >= 0; i--) {
        if (this.#pending[i].packet.xid === xid) matches.push(...this.#pending.splice(i, 1));
      }
      if (matches.length > 0 && (first || waitMs <= 0)) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return matches;
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#reading;
  }
}
