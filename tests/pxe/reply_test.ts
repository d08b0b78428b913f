/**
 * Golden replies: the exact bytes of representative OFFERs and ACKs (tests/golden/*.hex, rewrite
 * with UPDATE_GOLDEN=1 and review the diff), each also checked field by field against
 * protocol.md §2.1/§2.2 (OFFER) and §4.1 (ACK).
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import {
  decodePacket,
  type DhcpPacket,
  encodePacket,
  FLAG_BROADCAST,
} from "../../src/dhcp/packet.ts";
import {
  getMessageType,
  getServerId,
  getVendorClass,
  hex,
  latin1,
  Opt,
} from "../../src/dhcp/options.ts";
import { Discovery, getPxeOptions } from "../../src/dhcp/pxe_options.ts";
import { decide, type Port } from "../../src/pxe/decide.ts";
import { buildReply } from "../../src/pxe/reply.ts";
import type { Config } from "../../src/config/model.ts";
import { loadFixture } from "../support/fixtures.ts";
import { ipxeConfig } from "./_configs.ts";

const SERVER = { address: "192.168.188.20" };
const GOLDEN = new URL("../golden/", import.meta.url);
const FORBIDDEN = [
  Opt.SubnetMask,
  Opt.Router,
  Opt.DnsServers,
  Opt.LeaseTime,
  Opt.Overload,
  Opt.RenewalTime,
  Opt.RebindingTime,
];

function reply(
  fixtureName: string,
  port: Port,
  config: Config = ipxeConfig,
  edit?: (p: DhcpPacket) => void,
) {
  const request = decodePacket(loadFixture(fixtureName).bytes);
  edit?.(request);
  const decision = decide(request, port, config);
  if (decision.action === "drop") throw new Error(`${fixtureName} dropped: ${decision.reason}`);
  const bytes = encodePacket(buildReply(request, decision, SERVER, config));
  return { request, bytes, packet: decodePacket(bytes) };
}

function golden(name: string, bytes: Uint8Array): void {
  const file = new URL(`${name}.hex`, GOLDEN);
  const text = hex(bytes).replace(/(.{64})/g, "$1\n").trim() + "\n";
  if (Deno.env.get("UPDATE_GOLDEN") === "1") Deno.writeTextFileSync(file, text);
  equal(text, Deno.readTextFileSync(file), `${name}: bytes differ from tests/golden/${name}.hex`);
}

/** protocol.md §7 "Common" + §2.2: what every reply must and must not carry. */
function commonChecks(request: DhcpPacket, packet: DhcpPacket, type: number) {
  equal(packet.op, 2);
  equal([packet.xid, packet.htype, packet.hlen, hex(packet.chaddr)], [
    request.xid,
    request.htype,
    request.hlen,
    hex(request.chaddr),
  ]);
  equal(packet.yiaddr, "0.0.0.0");
  equal(packet.giaddr, request.giaddr);
  equal([...packet.options.keys()][0], Opt.MessageType, "53 comes first");
  equal(getMessageType(packet.options), type);
  equal(getServerId(packet.options), SERVER.address);
  for (const code of FORBIDDEN) ok(!packet.options.has(code), `option ${code} must not be sent`);
  equal(packet.options.get(Opt.ClientGuid), request.options.get(Opt.ClientGuid));
}

function consistentBootFields(packet: DhcpPacket, siaddr: string, file: string) {
  equal(packet.siaddr, siaddr);
  equal(packet.sname, siaddr);
  equal(packet.file, file);
  equal(latin1(packet.options.get(Opt.TftpServerName)!), siaddr, "66 is the next server as text");
  equal(latin1(packet.options.get(Opt.BootfileName)!), file, "67 equals file");
}

Deno.test("golden: BIOS ROM proxy OFFER (direct: 43.6=8, siaddr, file)", () => {
  const { request, bytes, packet } = reply("asrock_bios_pxe-arch0-discover-67.bin", "dhcp");
  golden("offer-bios-direct", bytes);
  commonChecks(request, packet, 2);
  ok(bytes.length >= 300, "at least the BOOTP minimum");
  ok(packet.flags & FLAG_BROADCAST);
  equal(packet.ciaddr, "0.0.0.0");
  equal(getVendorClass(packet.options), "PXEClient");
  equal(getPxeOptions(packet.options), { discoveryControl: Discovery.UseBootFile });
  consistentBootFields(packet, "192.168.188.21", "undionly.kpxe");
});

Deno.test("golden: UEFI proxy OFFER (BINL: no 43, no file, siaddr = us)", () => {
  const { request, bytes, packet } = reply("asrock_uefi_x64-arch7-discover-67.bin", "dhcp");
  golden("offer-uefi-binl", bytes);
  commonChecks(request, packet, 2);
  ok(packet.flags & FLAG_BROADCAST);
  ok(!packet.options.has(Opt.VendorSpecific), "no 43: EDK2 then asks on 4011");
  equal(packet.siaddr, SERVER.address, "EDK2 sends its 4011 request to siaddr (pitfall 3)");
  equal(packet.file, "");
  ok(!packet.options.has(Opt.BootfileName));
});

Deno.test("golden: UEFI 4011 ACK (file from tftpd, flags copied, to the source)", () => {
  const { request, bytes, packet } = reply("asrock_uefi_x64-arch7-request-4011.bin", "pxe");
  golden("ack-uefi-4011", bytes);
  commonChecks(request, packet, 5);
  equal(packet.flags, request.flags);
  equal(packet.ciaddr, request.ciaddr);
  ok(!packet.options.has(Opt.VendorSpecific));
  consistentBootFields(packet, "192.168.188.21", "ipxe.efi");
});

Deno.test("golden: iPXE OFFER (script URL, siaddr non-zero, no 43)", () => {
  const { request, bytes, packet } = reply("ipxe_pcbios-arch0-discover-67.bin", "dhcp");
  golden("offer-ipxe", bytes);
  commonChecks(request, packet, 2);
  ok(!packet.options.has(Opt.VendorSpecific), "EFI iPXE has no menu code (pitfall 7)");
  consistentBootFields(packet, "192.168.188.21", "http://192.168.188.21/boot.ipxe");
  ok(!request.options.has(Opt.ClientGuid) || packet.options.has(Opt.ClientGuid));
});

Deno.test("golden: UEFI HTTP boot OFFER (HTTPClient, URL, siaddr = URL host)", () => {
  const { request, bytes, packet } = reply("edk2_httpboot_x64-arch16-discover-67.bin", "dhcp");
  golden("offer-http", bytes);
  commonChecks(request, packet, 2);
  equal(getVendorClass(packet.options), "HTTPClient");
  consistentBootFields(packet, "192.168.188.21", "http://192.168.188.21/ipxe.efi");
});

Deno.test("golden: boot-item ACK echoes 43.71 (BIOS ROM on 4011)", () => {
  const { request, bytes, packet } = reply("asrock_bios_pxe-arch0-request-4011.bin", "pxe");
  golden("ack-bios-boot-item", bytes);
  commonChecks(request, packet, 5);
  equal(getPxeOptions(packet.options), { bootItem: { type: 0x8000, layer: 0 } });
  consistentBootFields(packet, "192.168.188.21", "undionly.kpxe");
});

Deno.test("reply: relayed DISCOVER keeps giaddr, echoes 82 last, keeps the broadcast flag", () => {
  const agent = Uint8Array.of(1, 4, 0, 0, 0, 7, 2, 2, 0xab, 0xcd);
  const { bytes, packet } = reply(
    "asrock_bios_pxe-arch0-discover-67.bin",
    "dhcp",
    ipxeConfig,
    (p) => {
      p.giaddr = "10.20.0.1";
      p.options.set(Opt.RelayAgentInfo, agent);
    },
  );
  equal(packet.giaddr, "10.20.0.1");
  equal(packet.options.get(Opt.RelayAgentInfo), agent);
  equal([...packet.options.keys()].at(-1), Opt.RelayAgentInfo, "82 is the last option (RFC 3046)");
  ok(packet.flags & FLAG_BROADCAST);
  // On the wire: 82 immediately before End.
  const end = bytes.lastIndexOf(255, bytes.length - 1);
  ok(end > 0);
});

Deno.test("reply: Raspberry Pi OFFER names itself in 43.9/43.10", () => {
  const { packet } = reply("rpi4_eeprom_bootloader-arch0-discover-67.bin", "dhcp");
  equal(getPxeOptions(packet.options), {
    discoveryControl: Discovery.UseBootFile,
    bootMenu: [{ type: 0, description: "Raspberry Pi Boot" }],
    menuPrompt: { timeout: 0, text: "PXE" },
  });
});

Deno.test("reply: a reply never exceeds the client's option 57 or 576", () => {
  for (
    const name of [
      "asrock_bios_pxe-arch0-discover-67.bin",
      "ipxe_efi_x64-arch7-discover-67.bin",
      "edk2_httpboot_x64-arch16-discover-67.bin",
    ]
  ) {
    const { request, bytes } = reply(name, "dhcp");
    const max = request.options.get(Opt.MaxMessageSize);
    ok(bytes.length <= (max ? (max[0] << 8 | max[1]) : 576));
  }
});
