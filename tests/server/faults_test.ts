/**
 * Runtime faults and floods, injected through the transport interface around real loopback
 * sockets: the daemon logs each cause once, keeps serving, and bounds what one MAC gets.
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { parseConfig } from "../../src/config/load.ts";
import { ProxyServer } from "../../src/server.ts";
import { setupLogging } from "../../src/log.ts";
import { PktinfoTransport } from "../../src/net/pktinfo.ts";
import type { Inbound, Outbound, Transport, UdpEndpoint } from "../../src/net/transport.ts";
import { DemoClient } from "../../scripts/demo/client.ts";
import { loadFixture } from "../support/fixtures.ts";
import { randomPorts } from "../support/daemon.ts";

interface Faults {
  /** Called before each send; return an error to throw instead of sending. */
  send?: (count: number) => Error | undefined;
  /** Called before each receive; return an error to reject with. */
  receive?: (count: number) => Error | undefined;
}

/** Wraps a real transport and injects errors at its boundary. */
class FaultyTransport implements Transport {
  readonly name = "faulty";
  sends = 0;
  receives = 0;
  constructor(readonly inner: Transport, readonly faults: Faults) {}

  open(port: number): UdpEndpoint {
    const endpoint = this.inner.open(port);
    return {
      port: endpoint.port,
      receive: (): Promise<Inbound[]> => {
        const error = this.faults.receive?.(this.receives++);
        return error ? Promise.reject(error) : endpoint.receive();
      },
      send: (data: Uint8Array, to: Outbound) => {
        const error = this.faults.send?.(this.sends++);
        if (error) throw error;
        return endpoint.send(data, to);
      },
      close: () => endpoint.close(),
    };
  }
}

function withMac(bytes: Uint8Array, last: number, xid: number): Uint8Array {
  const copy = bytes.slice();
  copy[28 + 5] = last;
  new DataView(copy.buffer).setUint32(4, xid);
  return copy;
}

function serve(faults: Faults, extra = "") {
  const ports = randomPorts();
  const config = parseConfig(
    `[proxy]\nlisten_address=127.0.0.1\n[ipxe]\nlegacy_bootstrap=undionly.kpxe\n` +
      `efi_bootstrap=ipxe.efi\nchainload_url=http://127.0.0.1/boot.ipxe\n[server]\n` +
      `dhcp_port=${ports.dhcp}\npxe_port=${ports.pxe}\nclient_port=${ports.client}\n${extra}`,
    "faults.ini",
  );
  const lines: string[] = [];
  const decoder = new TextDecoder();
  setupLogging({
    format: "json",
    level: "info",
    output: { writeSync: (p) => (lines.push(...decoder.decode(p).trim().split("\n")), p.length) },
  });
  const transport = new FaultyTransport(new PktinfoTransport(), faults);
  const server = new ProxyServer(config, { transport, proxyOnly: false });
  server.bind();
  const running = server.serve();
  const client = new DemoClient(ports.client);
  const stop = async () => {
    await client.close();
    server.close();
    await running;
  };
  return { server, client, ports, lines, stop };
}

const BIOS = loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes;

Deno.test("faults: transient send errors are logged once per cause and serving goes on", async () => {
  const { server, client, ports, lines, stop } = serve({
    send: (n) =>
      n < 5
        ? new Deno.errors.NetworkUnreachable("Network is unreachable (os error 101)")
        : undefined,
  });
  try {
    let answered = 0;
    for (let i = 0; i < 8; i++) {
      answered += (await client.exchange(withMac(BIOS, i, 1000 + i), ports.dhcp, 120)).length;
    }
    equal(answered, 3);
    equal(server.counters.sendErrors, { NetworkUnreachable: 5 });
    const warnings = lines.filter((l) => l.includes("failed") && l.includes('"level":"warning"'));
    equal(warnings.length, 1, lines.join("\n"));
  } finally {
    await stop();
  }
});

Deno.test("faults: a receive error does not end the loop", async () => {
  const { client, ports, lines, stop } = serve({
    receive: (n) => n === 0 ? new Error("injected receive failure") : undefined,
  });
  try {
    const replies = await client.exchange(BIOS, ports.dhcp, 500);
    equal(replies.length, 1);
    ok(lines.some((l) => l.includes("injected receive failure")), lines.join("\n"));
  } finally {
    await stop();
  }
});

Deno.test("flood: one MAC hammering gets its burst and no more; others still served", async () => {
  const { server, client, ports, stop } = serve({}, "rate_limit=10\nrate_burst=20\n");
  try {
    let answered = 0;
    for (let i = 0; i < 200; i++) {
      answered += (await client.exchange(withMac(BIOS, 0x77, 5000 + i), ports.dhcp, 0)).length;
    }
    await new Promise((r) => setTimeout(r, 200));
    ok(
      server.counters.replied >= 20 && server.counters.replied <= 35,
      `${server.counters.replied}`,
    );
    ok((server.counters.dropped.RateLimited ?? 0) >= 165, JSON.stringify(server.counters));
    ok(answered <= server.counters.replied);
    equal((await client.exchange(withMac(BIOS, 0x78, 9999), ports.dhcp)).length, 1);
  } finally {
    await stop();
  }
});
