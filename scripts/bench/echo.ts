/**
 * The ceiling for any Deno UDP responder: a bare `Deno.listenDatagram` loop that sends each
 * datagram straight back, with no decoding. On the PXE port it answers the source IP:port like a
 * 4011 ACK; on the DHCP port it broadcasts to 255.255.255.255:<client port> like a proxy OFFER
 * (protocol.md §6). scripts/bench.ts measures it with the same load generator as the servers.
 *
 *   deno run --allow-net scripts/bench/echo.ts --pxe-port 4011 --dhcp-port 67 --client-port 68
 */
import { parseArgs } from "node:util";

async function echoToSource(socket: Deno.DatagramConn): Promise<void> {
  for (;;) {
    const [data, from] = await socket.receive();
    await socket.send(data, from);
  }
}

async function echoAsBroadcast(socket: Deno.DatagramConn, clientPort: number): Promise<void> {
  const to: Deno.NetAddr = { transport: "udp", hostname: "255.255.255.255", port: clientPort };
  for (;;) {
    const [data] = await socket.receive();
    await socket.send(data, to);
  }
}

function listen(port: number): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port });
}

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`Cannot start echo: --${name} must be a port number, got "${value}"`);
    Deno.exit(2);
  }
  return port;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    strict: true,
    options: {
      "pxe-port": { type: "string" },
      "dhcp-port": { type: "string" },
      "client-port": { type: "string", default: "68" },
    },
  });
  const pxePort = portOption(values["pxe-port"], "pxe-port");
  const dhcpPort = portOption(values["dhcp-port"], "dhcp-port");
  const clientPort = portOption(values["client-port"], "client-port")!;
  const loops: Promise<void>[] = [];
  if (pxePort !== undefined) loops.push(echoToSource(listen(pxePort)));
  if (dhcpPort !== undefined) loops.push(echoAsBroadcast(listen(dhcpPort), clientPort));
  if (loops.length === 0) {
    console.error("Cannot start echo: give --pxe-port and/or --dhcp-port");
    Deno.exit(2);
  }
  await Promise.all(loops);
}
