/**
 * "Never answers the wrong machine": the real daemon, over real loopback sockets, gets every
 * packet that real non-PXE DHCP clients sent in `tests/fixtures/nonpxe/` (dhclient, udhcpc,
 * systemd-networkd, dhcpcd: DISCOVER, REQUEST in every state, INFORM, DECLINE, RELEASE) plus the
 * shared corpus' RELEASE, plain U-Boot requests and an address server's OFFER, on both of its
 * ports. It must send nothing, log one drop decision per packet, and keep serving PXE clients.
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodePacket } from "../../src/dhcp/packet.ts";
import { getMessageType } from "../../src/dhcp/options.ts";
import { loadFixture } from "../support/fixtures.ts";
import { Daemon, randomPorts, writeConfig } from "../support/daemon.ts";
import { loopbackIni } from "../../scripts/demo/loopback_ini.ts";

const NONPXE_DIR = new URL("../fixtures/nonpxe/", import.meta.url);

/** Shared fixtures that are not PXE boot requests (protocol.md §3, §9). */
const SHARED_PLAIN = [
  "zotac_intel_bios_pxe-noarch-release-67.bin",
  "uboot_riscv64-noarch-discover-67.bin",
  "uboot_armv8_rpi4-arch22-request-67.bin",
  "qemu_vm_dhcp_server-none-offer-68.bin",
];

/**
 * Drop reasons that hold whatever the config says. NoRoute, NoArch or RateLimited would mean
 * the daemon took the packet for a PXE request and only the config or the budget stopped it.
 */
const SILENT_BY_PROTOCOL = new Set([
  "NotPxeClient",
  "NotRequest",
  "Bootp",
  "MessageType",
  "RequestNotForUs",
]);

/** Routes for every arch the shared corpus names, so a misclassified packet would be answered. */
function configText(ports: { dhcp: number; pxe: number; client: number }) {
  return loopbackIni(
    ports,
    "log_level=debug\n",
    `
[bootstrap]
arm64-uboot=uboot/arm64.efi
arm32-uboot=uboot/arm32.efi
riscv64-uefi=riscv64/ipxe.efi
arm64-uefi=arm64/ipxe.efi
ia32-uefi=ipxe-i386.efi
`,
  );
}

interface Probe {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface NonPxeEntry {
  file: string;
  sha256: string;
  client: string;
  message_type: string;
}

function nonPxeEntries(): NonPxeEntry[] {
  return JSON.parse(Deno.readTextFileSync(new URL("manifest.json", NONPXE_DIR))).fixtures;
}

function nonPxeProbes(): Probe[] {
  return nonPxeEntries().map((e) => ({
    name: e.file,
    bytes: Deno.readFileSync(new URL(e.file, NONPXE_DIR)),
  }));
}

/** Every datagram that reaches 0.0.0.0:<client port>: broadcast OFFERs and unicast ACKs alike. */
class Listener {
  readonly received: { data: Uint8Array; from: Deno.NetAddr }[] = [];
  readonly #socket: Deno.DatagramConn;
  readonly #reading: Promise<void>;

  constructor(port: number) {
    this.#socket = Deno.listenDatagram({ hostname: "0.0.0.0", port, transport: "udp" });
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for await (const [data, from] of this.#socket) {
        this.received.push({ data, from: from as Deno.NetAddr });
      }
    } catch { /* closed */ }
  }

  /** Sends from the listening socket, so 4011 ACKs (to the source port) come back here too. */
  async send(bytes: Uint8Array, port: number): Promise<void> {
    await this.#socket.send(bytes, { transport: "udp", hostname: "127.0.0.1", port });
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#reading;
  }
}

function xidOf(bytes: Uint8Array): string {
  return "0x" + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4).toString(16)
    .padStart(8, "0");
}

async function waitUntil(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return predicate();
}

Deno.test("non-PXE corpus: manifest lists every captured file, hashes match, no PXE client in it", () => {
  const entries = nonPxeEntries();
  const onDisk = [...Deno.readDirSync(NONPXE_DIR)].filter((e) => e.name.endsWith(".bin"))
    .map((e) => e.name).sort();
  equal(entries.map((e) => e.file).sort(), onDisk);
  const clients = new Set(entries.map((e) => e.client));
  for (const client of ["dhclient", "udhcpc", "systemd-networkd"]) ok(clients.has(client), client);
  const types = new Set(entries.map((e) => e.message_type));
  for (const type of ["discover", "request", "release", "decline"]) ok(types.has(type), type);
  for (const entry of entries) {
    const bytes = Deno.readFileSync(new URL(entry.file, NONPXE_DIR));
    equal(createHash("sha256").update(bytes).digest("hex"), entry.sha256, entry.file);
    ok(!new TextDecoder("latin1").decode(bytes).includes("PXEClient"), entry.file);
  }
});

Deno.test("daemon: real non-PXE client packets on both ports get no reply, one drop each, and PXE still works", async () => {
  const ports = randomPorts();
  const configPath = writeConfig(configText(ports));
  const daemon = new Daemon(configPath, ports);
  const listener = new Listener(ports.client);
  const probes = [
    ...nonPxeProbes(),
    ...SHARED_PLAIN.map((name) => ({ name, bytes: loadFixture(name).bytes })),
  ];
  ok(probes.length >= 20, `only ${probes.length} probes`);
  try {
    await daemon.waitFor((r) => String(r.msg).includes("listening"));

    for (const probe of probes) {
      await listener.send(probe.bytes, ports.dhcp);
      await listener.send(probe.bytes, ports.pxe);
    }
    const sent = probes.length * 2;
    const drops = () => daemon.records().filter((r) => r.action === "drop");
    const allDecided = await waitUntil(() => drops().length >= sent, 10_000);
    // Replies are sent synchronously with the decision; a little slack for loopback delivery.
    await new Promise((r) => setTimeout(r, 300));
    equal(
      listener.received.map((r) => `${r.from.port}: ${r.data.length} bytes`),
      [],
      "no reply to any non-PXE packet",
    );
    ok(allDecided, `only ${drops().length} drop lines for ${sent} packets:\n${daemon.lines}`);

    // One drop line per packet and port, keyed by xid, with a reason that holds whatever the
    // config says.
    const remaining = new Map<string, number>();
    for (const probe of probes) {
      for (const port of [ports.dhcp, ports.pxe]) {
        const key = `${xidOf(probe.bytes)}@${port}`;
        remaining.set(key, (remaining.get(key) ?? 0) + 1);
      }
    }
    const reasons: Record<string, number> = {};
    for (const record of drops()) {
      const key = `${record.xid}@${record.port}`;
      ok(remaining.has(key), `drop line for a packet not sent: ${JSON.stringify(record)}`);
      remaining.set(key, remaining.get(key)! - 1);
      ok(SILENT_BY_PROTOCOL.has(String(record.reason)), JSON.stringify(record));
      reasons[String(record.reason)] = (reasons[String(record.reason)] ?? 0) + 1;
    }
    equal([...remaining].filter(([, n]) => n !== 0), [], "each packet decided exactly once");
    equal(daemon.records().filter((r) => r.action === "offer" || r.action === "ack"), []);
    equal(daemon.records().filter((r) => r.level === "warning" || r.level === "error"), []);

    // Still serving: a BIOS ROM DISCOVER gets its OFFER, a UEFI 4011 REQUEST its ACK, and both
    // replies reach the listener (so its silence above was not deafness).
    await listener.send(loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes, ports.dhcp);
    await listener.send(loadFixture("asrock_uefi_x64-arch7-request-4011.bin").bytes, ports.pxe);
    ok(await waitUntil(() => listener.received.length >= 2, 5_000), "PXE replies arrive");
    const types = listener.received.map((r) => getMessageType(decodePacket(r.data).options));
    equal(types.sort(), [2, 5], "an OFFER and an ACK");
    equal(listener.received.map((r) => xidOf(r.data)).sort(), ["0x99a0e43b", "0x9b4e0557"]);
  } finally {
    await listener.close();
    const status = await daemon.stop();
    Deno.removeSync(configPath);
    equal(status.code, 0);
  }
  // The daemon's own counters, logged at shutdown, agree: everything received, two replies.
  const stopped = daemon.records().find((r) => String(r.msg).startsWith("Stopped"));
  equal([stopped?.received, stopped?.replied], [probes.length * 2 + 2, 2]);
});
