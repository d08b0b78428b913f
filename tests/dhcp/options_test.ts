/**
 * Option formats the encoder enforces (EDK2 drops a whole packet over one malformed known
 * option, protocol.md pitfall 17) and the typed accessors, on real and hand-made values.
 */
import assert from "node:assert/strict";
import { EncodeError } from "../../src/dhcp/errors.ts";
import { decodePacket, type DhcpPacket, encodePacket } from "../../src/dhcp/packet.ts";
import {
  checkOptionFormat,
  decodeSubOptions,
  encodeSubOptions,
  getBootfileName,
  getClientArchs,
  getClientGuid,
  getClientId,
  getClientNdi,
  getIpxeOptions,
  getMaxMessageSize,
  getMessageType,
  getParamRequestList,
  getRelayAgentInfo,
  getServerId,
  getTftpServerName,
  getUserClass,
  getVendorClass,
  ipv4,
  latin1Bytes,
  messageTypeName,
  Opt,
  u16,
  u8,
} from "../../src/dhcp/options.ts";
import { fromHex, loadFixture } from "../support/fixtures.ts";

function fixture(name: string): DhcpPacket {
  return decodePacket(loadFixture(name).bytes);
}

function only(code: number, value: Uint8Array): Map<number, Uint8Array> {
  return new Map([[code, value]]);
}

// ---- encoder refusals -------------------------------------------------------------------------

const MALFORMED: [string, number, Uint8Array][] = [
  ["53 with 2 bytes", Opt.MessageType, Uint8Array.of(2, 0)],
  ["53 empty", Opt.MessageType, new Uint8Array(0)],
  ["54 with 3 bytes", Opt.ServerId, Uint8Array.of(10, 0, 0)],
  ["54 with 5 bytes", Opt.ServerId, Uint8Array.of(10, 0, 0, 1, 0)],
  ["97 with 16 bytes", Opt.ClientGuid, new Uint8Array(16)],
  ["97 with 18 bytes", Opt.ClientGuid, new Uint8Array(18)],
  ["97 with type byte 1", Opt.ClientGuid, Uint8Array.of(1, ...new Uint8Array(16))],
  ["60 empty", Opt.VendorClass, new Uint8Array(0)],
  ["93 with 1 byte", Opt.ClientArch, Uint8Array.of(7)],
  ["93 with 3 bytes", Opt.ClientArch, Uint8Array.of(0, 7, 0)],
  ["93 empty", Opt.ClientArch, new Uint8Array(0)],
  ["1 with 3 bytes", Opt.SubnetMask, Uint8Array.of(255, 255, 255)],
  ["3 with 6 bytes", Opt.Router, new Uint8Array(6)],
  ["43 empty", Opt.VendorSpecific, new Uint8Array(0)],
  ["51 with 2 bytes", Opt.LeaseTime, Uint8Array.of(0, 1)],
  ["57 with 1 byte", Opt.MaxMessageSize, Uint8Array.of(2)],
  ["61 with 1 byte", Opt.ClientId, Uint8Array.of(1)],
  ["67 empty", Opt.BootfileName, new Uint8Array(0)],
  ["77 empty", Opt.UserClass, new Uint8Array(0)],
  ["82 sub-option running past the end", Opt.RelayAgentInfo, Uint8Array.of(1, 5, 0x61)],
  ["82 empty", Opt.RelayAgentInfo, new Uint8Array(0)],
  ["94 with 2 bytes", Opt.ClientNdi, Uint8Array.of(1, 3)],
  ["175 empty", Opt.Ipxe, new Uint8Array(0)],
];

for (const [label, code, value] of MALFORMED) {
  Deno.test(`encoder refuses option ${label} with EncodeError`, () => {
    const p = fixture("asrock_uefi_x64-arch7-discover-67.bin");
    p.options.set(code, value);
    assert.throws(
      () => encodePacket(p),
      (e) => e instanceof EncodeError && e.message.startsWith(`Cannot encode option ${code}: `),
    );
    assert.notEqual(checkOptionFormat(code, value), undefined);
  });
}

Deno.test("encoder accepts the well-formed counterparts", () => {
  const p = fixture("asrock_uefi_x64-arch7-discover-67.bin");
  p.options.set(Opt.MessageType, u8(2));
  p.options.set(Opt.ServerId, ipv4("10.0.0.1"));
  p.options.set(Opt.ClientGuid, Uint8Array.of(0, ...new Uint8Array(16).fill(0xab)));
  p.options.set(Opt.VendorClass, latin1Bytes("PXEClient"));
  p.options.set(Opt.ClientArch, Uint8Array.of(0, 7, 0, 9));
  p.options.set(Opt.RelayAgentInfo, Uint8Array.of(1, 1, 0x61, 2, 0));
  assert.deepEqual(decodePacket(encodePacket(p)), p);
});

Deno.test("encoder refuses codes that are not options: Pad, End, out of range", () => {
  for (const code of [0, 255, 256, -1]) {
    const p = fixture("asrock_uefi_x64-arch7-discover-67.bin");
    p.options.set(code, u8(1));
    assert.throws(() => encodePacket(p), EncodeError, String(code));
  }
});

Deno.test("unknown options have no format: any length, even 0, is written", () => {
  assert.equal(checkOptionFormat(224, new Uint8Array(0)), undefined);
  assert.equal(checkOptionFormat(210, new Uint8Array(300)), undefined);
});

// ---- simple accessors on real packets ----------------------------------------------------------

Deno.test("accessors on a real ASRock UEFI REQUEST", () => {
  const o = fixture("asrock_uefi_x64-arch7-request-67.bin").options;
  assert.equal(getMessageType(o), 3);
  assert.equal(messageTypeName(getMessageType(o)), "REQUEST");
  assert.equal(getServerId(o), "192.168.178.1");
  assert.equal(getMaxMessageSize(o), 65280);
  assert.deepEqual(getClientNdi(o), { type: 1, major: 3, minor: 16 });
  assert.equal(getParamRequestList(o)?.length, 35);
  assert.equal(getClientGuid(o), "a8a159b74c3b00000000000000000000");
});

Deno.test("option 61 on iPXE: hardware type 1 and the MAC", () => {
  assert.deepEqual(getClientId(fixture("ipxe_pcbios-arch0-discover-67.bin").options), {
    type: 1,
    id: fromHex("00012e91f7fe"),
  });
});

Deno.test("message type names, also for BOOTP and unknown types", () => {
  assert.equal(messageTypeName(undefined), "BOOTP");
  assert.equal(messageTypeName(8), "INFORM");
  assert.equal(messageTypeName(13), "TYPE13");
});

Deno.test("options 66 and 67 as text; 67 loses a trailing NUL some servers add", () => {
  assert.equal(getBootfileName(only(67, latin1Bytes("ipxe.efi\0\0"))), "ipxe.efi");
  assert.equal(getBootfileName(only(67, latin1Bytes("a\0b"))), "a\0b");
  assert.equal(getTftpServerName(only(66, latin1Bytes("10.0.0.1"))), "10.0.0.1");
});

Deno.test("every accessor returns undefined when the option is absent", () => {
  const none = new Map<number, Uint8Array>();
  for (
    const get of [
      getMessageType,
      getServerId,
      getParamRequestList,
      getMaxMessageSize,
      getVendorClass,
      getClientId,
      getTftpServerName,
      getBootfileName,
      getUserClass,
      getRelayAgentInfo,
      getClientArchs,
      getClientNdi,
      getClientGuid,
      getIpxeOptions,
    ]
  ) {
    assert.equal(get(none), undefined, get.name);
  }
});

Deno.test("accessors return undefined for malformed values instead of guessing", () => {
  assert.equal(getMessageType(only(53, Uint8Array.of(1, 1))), undefined);
  assert.equal(getServerId(only(54, Uint8Array.of(10, 0, 0))), undefined);
  assert.equal(getMaxMessageSize(only(57, Uint8Array.of(5))), undefined);
  assert.equal(getVendorClass(only(60, new Uint8Array(0))), undefined);
  assert.equal(getClientNdi(only(94, Uint8Array.of(1, 2, 1, 0))), undefined);
});

// ---- option 77 (user class) ---------------------------------------------------------------------

Deno.test("77: iPXE's raw 'iPXE' (real packet) is one class, not an RFC 3004 list", () => {
  const o = fixture("ipxe_pcbios-arch0-discover-67.bin").options;
  assert.deepEqual(getUserClass(o), { raw: "iPXE", classes: ["iPXE"] });
  const custom = fixture("ipxe_efi_x64-arch7-discover-67.bin").options;
  assert.deepEqual(getUserClass(custom), { raw: "pixiecore", classes: ["pixiecore"] });
});

Deno.test("77: RFC 3004 length-prefixed instances are split; raw keeps the prefix bytes", () => {
  assert.deepEqual(getUserClass(only(77, latin1Bytes("\x04iPXE"))), {
    raw: "\x04iPXE",
    classes: ["iPXE"],
  });
  assert.deepEqual(getUserClass(only(77, latin1Bytes("\x04iPXE\x0aTinkerbell"))), {
    raw: "\x04iPXE\x0aTinkerbell",
    classes: ["iPXE", "Tinkerbell"],
  });
});

Deno.test("77: a prefix that does not fit, or a zero-length instance, falls back to raw", () => {
  for (const text of ["\x05iPXE", "\x04iPXE\x02a", "\x00iPXE", "\x04iPXE\x00"]) {
    assert.deepEqual(getUserClass(only(77, latin1Bytes(text))), { raw: text, classes: [text] });
  }
});

// ---- option 93 (client architecture) ------------------------------------------------------------

Deno.test("93: a list of several 16-bit big-endian types, in order", () => {
  assert.deepEqual(getClientArchs(only(93, Uint8Array.of(0, 7, 0, 9, 0, 11))), [7, 9, 11]);
  assert.deepEqual(getClientArchs(only(93, Uint8Array.of(0xff, 0xff))), [0xffff]);
  assert.deepEqual(getClientArchs(only(93, Uint8Array.of(1, 0))), [256]);
  assert.equal(getClientArchs(only(93, Uint8Array.of(0, 7, 0))), undefined);
  assert.deepEqual(getClientArchs(fixture("uboot_armv8_rpi4-arch22-request-67.bin").options), [22]);
});

// ---- option 97 (client GUID) ---------------------------------------------------------------------

Deno.test("97: type byte 0 and 16 bytes → lowercase hex; anything else → undefined", () => {
  const guid = fromHex("00cc3847ed6025b211a85c96ade800886f");
  assert.equal(getClientGuid(only(97, guid)), "cc3847ed6025b211a85c96ade800886f");
  const wrongType = guid.slice();
  wrongType[0] = 1;
  assert.equal(getClientGuid(only(97, wrongType)), undefined);
  assert.equal(getClientGuid(only(97, guid.subarray(0, 16))), undefined);
  assert.equal(getClientGuid(only(97, new Uint8Array(0))), undefined);
});

// ---- option 82 (relay agent information) ----------------------------------------------------------

Deno.test("82: circuit id and remote id sub-options (RFC 3046)", () => {
  const info = getRelayAgentInfo(
    only(82, Uint8Array.of(1, 4, 0x65, 0x74, 0x68, 0x30, 2, 6, 0, 0x15, 0x5d, 1, 2, 3)),
  );
  assert.deepEqual(
    info,
    new Map([[1, latin1Bytes("eth0")], [2, Uint8Array.of(0, 0x15, 0x5d, 1, 2, 3)]]),
  );
});

Deno.test("82: malformed sub-options → undefined", () => {
  assert.equal(getRelayAgentInfo(only(82, Uint8Array.of(1, 4, 0x65))), undefined);
  assert.equal(getRelayAgentInfo(only(82, Uint8Array.of(1, 0, 2))), undefined);
  assert.equal(getRelayAgentInfo(only(82, new Uint8Array(0))), undefined);
});

// ---- option 175 (iPXE) -----------------------------------------------------------------------------

Deno.test("175: iPXE's real settings: bus id, version and feature flags", () => {
  const subs = getIpxeOptions(fixture("ipxe_efi_x64-arch7-discover-67.bin").options);
  assert.ok(subs !== undefined);
  assert.deepEqual(subs.get(0xb1), fromHex("0180861a1d")); // PCI 8086:1a1d
  assert.deepEqual(subs.get(0xeb), fromHex("010000")); // version 1.0.0
  for (const feature of [0x12, 0x13, 0x15, 0x17, 0x24]) assert.deepEqual(subs.get(feature), u8(1));
  const bios = getIpxeOptions(fixture("ipxe_pcbios-arch0-discover-67.bin").options);
  assert.deepEqual(bios?.get(0xb1), fromHex("0110ec8168")); // PCI 10ec:8168
  assert.deepEqual(bios?.get(0x10), u8(2));
});

Deno.test("175: truncated sub-options → undefined", () => {
  assert.equal(getIpxeOptions(only(175, Uint8Array.of(0xb1, 5, 1, 2))), undefined);
  assert.equal(getIpxeOptions(only(175, Uint8Array.of(0x13, 1, 1, 0x15))), undefined);
});

// ---- sub-option streams ---------------------------------------------------------------------------

Deno.test("sub-options: Pad is skipped, End stops, truncation is undefined", () => {
  assert.deepEqual(
    decodeSubOptions(Uint8Array.of(0, 6, 1, 8, 0, 255, 9, 9)),
    new Map([[6, u8(8)]]),
  );
  assert.deepEqual(decodeSubOptions(new Uint8Array(0)), new Map());
  assert.equal(decodeSubOptions(Uint8Array.of(6)), undefined);
  assert.equal(decodeSubOptions(Uint8Array.of(6, 2, 8)), undefined);
});

Deno.test("sub-options: encode with and without End, decode back", () => {
  const entries: [number, Uint8Array][] = [[6, u8(8)], [71, u16(0x8000)]];
  const closed = encodeSubOptions(entries, true);
  assert.deepEqual(closed, Uint8Array.of(6, 1, 8, 71, 2, 0x80, 0, 255));
  assert.deepEqual(encodeSubOptions(entries, false), closed.subarray(0, 7));
  assert.deepEqual(decodeSubOptions(closed), new Map(entries));
  assert.throws(
    () => encodeSubOptions([[9, new Uint8Array(256)]], false),
    /Cannot encode sub-option 9/,
  );
});

Deno.test("value builders", () => {
  assert.deepEqual(u16(1472), Uint8Array.of(5, 0xc0));
  assert.deepEqual(ipv4("192.168.16.10"), Uint8Array.of(192, 168, 16, 10));
  assert.deepEqual(latin1Bytes("\xffA"), Uint8Array.of(255, 65));
});
