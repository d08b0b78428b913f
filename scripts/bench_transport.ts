/**
 * Micro-benchmark of the two transports on loopback: a plain Deno.listenDatagram client sends to
 * an echo server built on each transport (receive() then send() back). Prints microseconds per
 * round trip (one recv+send on each side), per datagram in bursts of 32, and per send() alone
 * (to a socket nobody reads; loopback drops what overflows). Not a test; bounded to about a
 * second per measurement. The machine is shared: run it twice and compare orders of magnitude.
 *
 *   deno run --allow-ffi=/lib/x86_64-linux-gnu/libc.so.6 --allow-net=127.0.0.1,0.0.0.0 \
 *     scripts/bench_transport.ts [seconds-per-measurement]
 */

import { PktinfoTransport } from "../src/net/pktinfo.ts";
import { PortableTransport } from "../src/net/portable.ts";
import type { Transport, UdpEndpoint } from "../src/net/transport.ts";

const SECONDS = Number(Deno.args[0] ?? "1");
const BURST = 32;
const MAX_ROUNDS = 200_000;
const PAYLOAD = new Uint8Array(300); // about a PXE DISCOVER

async function echo(endpoint: UdpEndpoint): Promise<void> {
  try {
    for (;;) {
      for (const d of await endpoint.receive()) {
        await endpoint.send(d.data, { address: d.sourceAddress, port: d.sourcePort });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.Interrupted || error instanceof Deno.errors.BadResource)) {
      throw error;
    }
  }
}

/** Mean microseconds per unit over about SECONDS of `rounds` of `perRound` units each. */
async function measure(round: () => Promise<void>, perRound: number): Promise<number> {
  for (let i = 0; i < 200; i++) await round(); // warm-up (JIT, caches)
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let rounds = 0;
  while (performance.now() < deadline && rounds < MAX_ROUNDS) {
    await round();
    rounds++;
  }
  return ((performance.now() - start) * 1000) / (rounds * perRound);
}

interface Figures {
  pingPong: number;
  burst: number;
  sendOnly: number;
}

async function bench(transport: Transport): Promise<Figures> {
  const server = transport.open(0);
  const serving = echo(server);
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: server.port };
  try {
    const pingPong = await measure(async () => {
      await client.send(PAYLOAD, to);
      await client.receive();
    }, 1);
    const burst = await measure(async () => {
      for (let i = 0; i < BURST; i++) await client.send(PAYLOAD, to);
      for (let i = 0; i < BURST; i++) await client.receive();
    }, BURST);
    const sink = new PktinfoTransport({ receiveBufferBytes: 0 }).open(0);
    const toSink = { address: "127.0.0.1", port: sink.port };
    const sendOnly = await measure(async () => {
      for (let i = 0; i < BURST; i++) await server.send(PAYLOAD, toSink);
    }, BURST);
    sink.close();
    return { pingPong, burst, sendOnly };
  } finally {
    client.close();
    server.close();
    await serving;
  }
}

const results: Record<string, Figures> = {};
for (const transport of [new PktinfoTransport(), new PortableTransport()]) {
  results[transport.name] = await bench(transport);
}
console.log(`loopback echo, ${PAYLOAD.length}-byte datagrams, ~${SECONDS}s per figure`);
console.log("transport  round trip (µs)  burst of 32 (µs/datagram)  send() only (µs/datagram)");
for (const [name, { pingPong, burst, sendOnly }] of Object.entries(results)) {
  const columns = [pingPong.toFixed(1).padStart(15), burst.toFixed(1).padStart(25)];
  console.log(`${name.padEnd(9)}  ${columns.join("  ")}  ${sendOnly.toFixed(1).padStart(25)}`);
}
