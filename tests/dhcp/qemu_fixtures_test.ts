/**
 * The client packets captured from real firmware under QEMU (tests/fixtures/qemu/, made by
 * scripts/e2e/capture_fixtures.ts) decode with `decodePacket`, and every decoded field matches
 * what the manifest recorded at capture time.
 */
import assert from "node:assert/strict";
import { decodePacket } from "../../src/dhcp/packet.ts";
import { messageTypeName, Opt } from "../../src/dhcp/options.ts";
import type { QemuFixtureEntry } from "../../scripts/e2e/fixtures.ts";

type Entry = QemuFixtureEntry;

const DIR = new URL("../fixtures/qemu/", import.meta.url);
const entries: Entry[] = JSON.parse(Deno.readTextFileSync(new URL("manifest.json", DIR))).fixtures;

const hex = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? null : [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? null : String.fromCharCode(...bytes);

function arches(value: Uint8Array | undefined): number[] {
  const codes: number[] = [];
  for (let i = 0; value && i + 1 < value.length; i += 2) codes.push((value[i] << 8) | value[i + 1]);
  return codes;
}

function hasSubOption(value: Uint8Array | undefined, code: number): boolean {
  for (let at = 0; value && at + 1 < value.length; at += 2 + value[at + 1]) {
    if (value[at] === code) return true;
    if (value[at] === 255) return false;
  }
  return false;
}

Deno.test("qemu fixtures: every .bin is in the manifest and every entry has its .bin", () => {
  const onDisk = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".bin")).map((e) =>
    e.name
  ).sort();
  assert.deepEqual(onDisk, entries.map((e) => e.file).sort());
  assert.ok(entries.length > 0, "no fixtures captured");
});

Deno.test("qemu fixtures: cover EDK2 x64/ia32/arm64 and iPXE BIOS/EFI clients", () => {
  const seen = new Set(entries.map((e) => `${e.stage}:${e.arch_list_93.join(",")}`));
  for (const expected of ["firmware:7", "firmware:6", "firmware:11", "ipxe:0", "ipxe:7"]) {
    assert.ok(seen.has(expected), `no fixture for ${expected}; have ${[...seen]}`);
  }
});

for (const entry of entries) {
  Deno.test(`qemu fixture ${entry.file} decodes to its manifest`, async () => {
    const bytes = Deno.readFileSync(new URL(entry.file, DIR));
    assert.equal(bytes.length, entry.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(hex(digest), entry.sha256);

    const packet = decodePacket(bytes);
    const option = (code: number) => packet.options.get(code);
    assert.equal(packet.op, 1, "a client packet is a BOOTREQUEST");
    assert.equal(messageTypeName(option(Opt.MessageType)?.[0]).toLowerCase(), entry.message_type);
    assert.equal(`0x${packet.xid.toString(16).padStart(8, "0")}`, entry.xid);
    assert.equal(`0x${packet.flags.toString(16).padStart(4, "0")}`, entry.flags);
    assert.equal(hex(packet.chaddr.subarray(0, packet.hlen)), entry.chaddr.replaceAll(":", ""));
    assert.deepEqual(arches(option(Opt.ClientArch)), entry.arch_list_93);
    assert.equal(text(option(Opt.VendorClass)), entry.vendor_class_60);
    assert.equal(hex(option(Opt.UserClass)), entry.user_class_77);
    assert.equal(packet.options.has(Opt.Ipxe), entry.has_option_175);
    assert.deepEqual([...packet.options.keys()], entry.options_order);
    const prl = option(Opt.ParamRequestList);
    assert.deepEqual(prl ? [...prl] : null, entry.parameter_request_list_55);
    const max = option(Opt.MaxMessageSize);
    assert.equal(max ? (max[0] << 8) | max[1] : null, entry.max_message_size_57);
    assert.equal(hex(option(Opt.ClientNdi)), entry.ndi_94);
    assert.equal(hex(option(Opt.ClientGuid)), entry.guid_97);
  });

  Deno.test(`qemu fixture ${entry.file} is self-consistent PXE`, () => {
    const packet = decodePacket(Deno.readFileSync(new URL(entry.file, DIR)));
    const vendor = text(packet.options.get(Opt.VendorClass)) ?? "";
    if (vendor === "PXEClient") {
      // Boot-server discovery (PXE 2.1 §2.2.5; real-firmware.md: BIOS iPXE given a PXE menu):
      // bare class, xid 0, to 4011, option 43 holding the chosen boot item (sub-option 71).
      assert.equal(entry.udp_dst_port, 4011);
      assert.equal(packet.xid, 0);
      assert.ok(hasSubOption(packet.options.get(Opt.VendorSpecific), 71), "43 lacks 71");
    } else {
      // PXE spec: "PXEClient:Arch:xxxxx:UNDI:yyyzzz"; the arch field repeats option 93.
      const match = vendor.match(/^PXEClient:Arch:(\d{5}):UNDI:(\d{6})$/);
      assert.ok(match, `option 60 ${JSON.stringify(vendor)} is not a PXEClient class`);
      assert.equal(Number(match[1]), entry.arch_list_93[0]);
    }
    // iPXE sends 77 as the raw bytes "iPXE" (not RFC 3004 form) and always 175; EDK2 neither.
    const ipxe = entry.stage === "ipxe";
    assert.equal(text(packet.options.get(Opt.UserClass)), ipxe ? "iPXE" : null);
    assert.equal(packet.options.has(Opt.Ipxe), ipxe);
  });
}
