/**
 * Run by select_test.ts as `deno run` with the daemon's scoped permissions: picks the transport
 * with "auto", lists interfaces, and echoes one datagram on loopback. Prints one JSON line.
 */

import { listInterfaces } from "../../src/net/interfaces.ts";
import { selectTransport } from "../../src/net/select.ts";

const { transport, reason } = selectTransport("auto");
const lo = listInterfaces().find((nic) => nic.name === "lo");
const endpoint = transport.open(0);
const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
await peer.send(new TextEncoder().encode("ping"), {
  transport: "udp",
  hostname: "127.0.0.1",
  port: endpoint.port,
});
const [inbound] = await endpoint.receive();
await endpoint.send(new TextEncoder().encode("pong"), {
  address: "127.0.0.1",
  port: inbound.sourcePort,
  ifindex: inbound.ifindex,
});
const [reply] = await peer.receive();
endpoint.close();
peer.close();
console.log(JSON.stringify({
  transport: transport.name,
  reason,
  loIfindex: lo?.ifindex,
  received: new TextDecoder().decode(inbound.data),
  ifindex: inbound.ifindex,
  destinationAddress: inbound.destinationAddress,
  reply: new TextDecoder().decode(reply),
}));
