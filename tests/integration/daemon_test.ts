/**
 * Loopback integration: the real daemon, started with the documented minimal permission flags
 * from a config file, answers real ROM packets over real UDP sockets.
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { getMessageType, getServerId, getVendorClass } from "../../src/dhcp/options.ts";
import { DemoClient } from "../../scripts/demo/client.ts";
import { loopbackIni } from "../../scripts/demo/loopback_ini.ts";
import { loadFixture } from "../support/fixtures.ts";
import { Daemon, randomPorts, writeConfig } from "../support/daemon.ts";

function configText(ports: { dhcp: number; pxe: number; client: number }) {
  return loopbackIni(ports);
}

Deno.test("daemon on loopback: OFFERs broadcast to the client port, ACKs to the source, drops stay silent", async () => {
  const ports = randomPorts();
  const daemon = new Daemon(writeConfig(configText(ports)), ports);
  const client = new DemoClient(ports.client);
  try {
    await daemon.waitFor((r) => String(r.msg).includes("listening"));

    // BIOS ROM DISCOVER on 67 → OFFER broadcast to 255.255.255.255:client_port from :67.
    const bios = await client.exchange(
      loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes,
      ports.dhcp,
    );
    equal(bios.length, 1);
    equal(bios[0].from.port, ports.dhcp);
    equal(getMessageType(bios[0].packet.options), 2);
    equal(bios[0].packet.file, "undionly.kpxe");
    equal(bios[0].packet.yiaddr, "0.0.0.0");
    equal(getServerId(bios[0].packet.options), "127.0.0.1");

    // UEFI 4011 REQUEST → ACK from :4011 to the request's source port (here the client port).
    const uefi = await client.exchange(
      loadFixture("asrock_uefi_x64-arch7-request-4011.bin").bytes,
      ports.pxe,
    );
    equal(uefi.length, 1);
    equal(uefi[0].from.port, ports.pxe);
    equal(getMessageType(uefi[0].packet.options), 5);
    equal(uefi[0].packet.file, "ipxe.efi");
    equal(getVendorClass(uefi[0].packet.options), "PXEClient");

    // iPXE → the script URL.
    const ipxe = await client.exchange(
      loadFixture("ipxe_efi_x64-arch7-discover-67.bin").bytes,
      ports.dhcp,
    );
    equal(ipxe[0]?.packet.file, "http://127.0.0.1/boot.ipxe");

    // Every retransmit is answered (same xid twice → two OFFERs).
    const again = await client.exchange(
      loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes,
      ports.dhcp,
    );
    equal(again.length, 1);

    // Drops: unconfigured arch, non-PXE client, REQUEST on 67, garbage. No reply at all.
    for (
      const name of [
        "uboot_riscv64_efi-arch27-discover-67.bin",
        "uboot_riscv64-noarch-discover-67.bin",
        "asrock_bios_pxe-arch0-request-67.bin",
      ]
    ) {
      equal((await client.exchange(loadFixture(name).bytes, ports.dhcp, 250)).length, 0, name);
    }
    equal((await client.exchange(new Uint8Array(100).fill(7), ports.dhcp, 150)).length, 0);

    const drop = await daemon.waitFor((r) => r.action === "drop" && r.arch === "riscv64-uefi");
    equal(drop.reason, "NoRoute");
    const offer = await daemon.waitFor((r) => r.action === "offer" && r.arch === "x86-bios");
    equal([offer.mac, offer.stage, offer.file, offer.to], [
      "d0:50:99:4e:05:57",
      "firmware",
      "undionly.kpxe",
      `255.255.255.255:${ports.client}`,
    ]);
  } finally {
    await client.close();
    const status = await daemon.stop();
    equal(status.code, 0, "SIGTERM is a clean shutdown");
  }
});

Deno.test("daemon: -p serves 4011 while another process owns the DHCP port; without -p it says how to fix it", async () => {
  const ports = randomPorts();
  const config = writeConfig(configText(ports));
  const squatter = Deno.listenDatagram({ hostname: "0.0.0.0", port: ports.dhcp, transport: "udp" });
  try {
    const plain = new Daemon(config, ports);
    const status = await plain.status;
    await plain.stop();
    equal(status.code, 1);
    ok(plain.stderr.includes(`Cannot bind udp/${ports.dhcp}`), plain.stderr);
    ok(plain.stderr.includes("run with -p"), plain.stderr);
    equal(plain.stderr.trim().split("\n").length, 1, "one line, no stack trace");

    const proxyOnly = new Daemon(config, ports, ["-p"]);
    const client = new DemoClient(ports.client);
    try {
      await proxyOnly.waitFor((r) => String(r.msg).includes("listening"));
      const ack = await client.exchange(
        loadFixture("asrock_uefi_x64-arch7-request-4011.bin").bytes,
        ports.pxe,
      );
      equal(getMessageType(ack[0]?.packet.options ?? new Map()), 5);
    } finally {
      await client.close();
      await proxyOnly.stop();
    }
  } finally {
    squatter.close();
  }
});

Deno.test("daemon: SIGHUP reloads a good config and keeps the old one on a bad one", async () => {
  const ports = randomPorts();
  const path = writeConfig(configText(ports));
  const daemon = new Daemon(path, ports);
  const client = new DemoClient(ports.client);
  const bios = loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes;
  try {
    await daemon.waitFor((r) => String(r.msg).includes("listening"));
    Deno.writeTextFileSync(
      path,
      configText(ports).replace("legacy_bootstrap=undionly.kpxe", "legacy_bootstrap=new.kpxe"),
    );
    daemon.signal("SIGHUP");
    await daemon.waitFor((r) => String(r.msg).startsWith("Reloaded"));
    equal((await client.exchange(bios, ports.dhcp))[0]?.packet.file, "new.kpxe");

    Deno.writeTextFileSync(path, configText(ports).replace("tftpd=127.0.0.1", "tftpd=127.0.0.300"));
    daemon.signal("SIGHUP");
    const failed = await daemon.waitFor((r) => String(r.msg).startsWith("Reload failed"));
    ok(String(failed.msg).includes("[proxy] tftpd"), String(failed.msg));
    equal((await client.exchange(bios, ports.dhcp))[0]?.packet.file, "new.kpxe", "old config kept");
  } finally {
    await client.close();
    await daemon.stop();
  }
});

Deno.test("daemon: SIGHUP under traffic loses no reply", async () => {
  const ports = randomPorts();
  const path = writeConfig(configText(ports));
  const daemon = new Daemon(path, ports);
  const client = new DemoClient(ports.client);
  const template = loadFixture("asrock_uefi_x64-arch7-request-4011.bin").bytes;
  try {
    await daemon.waitFor((r) => String(r.msg).includes("listening"));
    let answered = 0;
    const total = 400;
    for (let i = 0; i < total; i++) {
      if (i % 40 === 20) daemon.signal("SIGHUP"); // reload mid-stream, ten times
      const request = template.slice();
      new DataView(request.buffer).setUint32(4, 0x5000 + i); // xid
      request[28 + 4] = i >> 8; // a distinct MAC per request: no rate limit in the way
      request[28 + 5] = i & 0xff;
      answered += (await client.exchange(request, ports.pxe, 1000, true)).length > 0 ? 1 : 0;
    }
    equal(answered, total);
    const reloads = daemon.records().filter((r) => String(r.msg).startsWith("Reloaded"));
    equal(reloads.length, 10);
  } finally {
    await client.close();
    await daemon.stop();
  }
});
