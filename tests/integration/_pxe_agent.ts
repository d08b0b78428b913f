/**
 * A PXE client stand-in for namespace tests, run inside a client namespace
 * (`ip netns exec NS deno run -A _pxe_agent.ts '<json spec>'`): sends a real ROM DISCOVER as a
 * broadcast out of one NIC from port 68 (like firmware, without needing any route), optionally
 * follows with the udp/4011 REQUEST to the server that answered, and prints one JSON line per
 * reply, then `{"event":"done"}`.
 */
import { decodePacket, encodePacket } from "../../src/dhcp/packet.ts";
import { getMessageType, getServerId, Opt } from "../../src/dhcp/options.ts";
import { PktinfoTransport } from "../../src/net/pktinfo.ts";
import { loadLibc } from "../../src/net/libc.ts";
import type { Inbound } from "../../src/net/transport.ts";

export interface AgentSpec {
  readonly discover: string;
  readonly request4011?: string;
  readonly mac: string;
  readonly xid: number;
  readonly ifname: string;
  /** The client's own address, for the 4011 REQUEST (ciaddr). */
  readonly address?: string;
  readonly waitMs: number;
}

const spec: AgentSpec = JSON.parse(Deno.args[0]);
const ifindex = loadLibc().ifNameToIndex(spec.ifname);
const endpoint = new PktinfoTransport().open(68);
const print = (event: Record<string, unknown>) => console.log(JSON.stringify(event));

function prepare(path: string, xid: number): Uint8Array {
  const packet = decodePacket(Deno.readFileSync(path));
  packet.xid = xid;
  packet.chaddr = new Uint8Array(16);
  packet.chaddr.set(spec.mac.split(":").map((h) => parseInt(h, 16)));
  if (spec.address !== undefined && getMessageType(packet.options) === 3) {
    packet.ciaddr = spec.address;
  }
  packet.options.delete(Opt.ClientId);
  return encodePacket(packet);
}

// One receive() may be pending at a time; it carries over between collect() calls.
let pending: Promise<Inbound[]> | undefined;

async function collect(xid: number, ms: number) {
  const deadline = Date.now() + ms;
  const replies = [];
  while (Date.now() < deadline) {
    pending ??= endpoint.receive();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const batch = await Promise.race([
      pending.then((b) => (pending = undefined, b)),
      new Promise<[]>((r) => timer = setTimeout(() => r([]), Math.max(1, deadline - Date.now()))),
    ]);
    clearTimeout(timer);
    for (const inbound of batch) {
      try {
        const reply = decodePacket(inbound.data);
        if (reply.xid !== xid || reply.op !== 2) continue;
        const event = {
          event: "reply",
          type: getMessageType(reply.options),
          from: `${inbound.sourceAddress}:${inbound.sourcePort}`,
          serverId: getServerId(reply.options),
          siaddr: reply.siaddr,
          giaddr: reply.giaddr,
          file: reply.file,
          agentInfo: reply.options.has(Opt.RelayAgentInfo),
        };
        print(event);
        replies.push(event);
      } catch { /* not DHCP */ }
    }
  }
  return replies;
}

try {
  endpoint.send(prepare(spec.discover, spec.xid), {
    address: "255.255.255.255",
    port: 67,
    ifindex,
  });
  const offers = await collect(spec.xid, spec.waitMs);
  const server = offers[0]?.serverId;
  if (spec.request4011 !== undefined && server !== undefined) {
    endpoint.send(prepare(spec.request4011, spec.xid + 1), { address: server, port: 4011 });
    await collect(spec.xid + 1, spec.waitMs);
  }
} catch (error) {
  print({ event: "error", error: String(error) });
} finally {
  print({ event: "done" });
  endpoint.close();
  Deno.exit(0);
}
