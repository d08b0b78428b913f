/**
 * Option 43 (PXE vendor options, PXE 2.1 §2.4, protocol.md §5) on the real option 43 values of
 * three captures — pixiecore's BIOS menu, a dnsmasq-style Raspberry Pi `pxe-service` and a BIOS
 * ROM's boot-item request — plus hand-made malformed sub-options.
 */
import assert from "node:assert/strict";
import { decodePacket, encodePacket } from "../../src/dhcp/packet.ts";
import { Opt } from "../../src/dhcp/options.ts";
import {
  decodePxeOptions,
  Discovery,
  encodePxeOptions,
  getPxeOptions,
  type PxeOptions,
} from "../../src/dhcp/pxe_options.ts";
import { loadFixture } from "../support/fixtures.ts";

function realOption43(name: string): Uint8Array {
  const value = decodePacket(loadFixture(name).bytes).options.get(Opt.VendorSpecific);
  assert.ok(value !== undefined, `${name} has option 43`);
  return value;
}

Deno.test("43 of pixiecore's BIOS proxy OFFER: control 3, one server, menu and prompt", () => {
  const value = realOption43("pixiecore_2016-none-offer-68.bin");
  const decoded = decodePxeOptions(value);
  assert.deepEqual(decoded, {
    discoveryControl: Discovery.NoBroadcast | Discovery.NoMulticast,
    bootServers: [{ type: 0x8000, servers: ["192.168.16.10"] }],
    bootMenu: [{ type: 0x8000, description: "Pixiecore" }],
    menuPrompt: { timeout: 0, text: "Pixiecore" },
  });
  // Same sub-option order as the encoder's (6, 8, 9, 10), so the bytes come back exactly.
  assert.deepEqual(encodePxeOptions(decoded), value);
});

Deno.test("43 of a Raspberry Pi proxy (dnsmasq pxe-service): menu item type 0, prompt 'PXE'", () => {
  const value = realOption43("rpi_pxe_service_proxy-none-offer-68.bin");
  const decoded = decodePxeOptions(value);
  assert.deepEqual(decoded, {
    discoveryControl: 3,
    menuPrompt: { timeout: 0, text: "PXE" },
    bootMenu: [{ type: 0, description: "Raspberry Pi Boot" }],
  });
  // The capture has 10 before 9; the encoder writes 9 first. Same content, same length.
  const again = encodePxeOptions(decoded);
  assert.equal(again.length, value.length);
  assert.notDeepEqual(again, value);
  assert.deepEqual(decodePxeOptions(again), decoded);
  assert.equal(again.at(-1), 255);
});

Deno.test("43 of a BIOS ROM's 4011 REQUEST and of pixiecore's ACK: boot item 0x8000 layer 0", () => {
  for (
    const name of ["asrock_bios_pxe-arch0-request-4011.bin", "pixiecore_2016-none-ack-4011.bin"]
  ) {
    const value = realOption43(name);
    const decoded = decodePxeOptions(value);
    assert.deepEqual(decoded, { bootItem: { type: 0x8000, layer: 0 } }, name);
    assert.deepEqual(encodePxeOptions(decoded), value, name);
  }
});

Deno.test("43: every modelled sub-option and an unmodelled one survive encode/decode", () => {
  const options: PxeOptions = {
    discoveryControl: Discovery.UseBootFile | Discovery.OnlyListedServers,
    multicastAddress: "224.0.1.2",
    bootServers: [
      { type: 0x8000, servers: ["10.0.0.1", "10.0.0.2"] },
      { type: 0, servers: [] },
    ],
    bootMenu: [
      { type: 0, description: "Local boot" },
      { type: 0x8001, description: "" },
      { type: 0xffff, description: "ü\xff" },
    ],
    menuPrompt: { timeout: 255, text: "" },
    bootItem: { type: 0x8001, layer: 0x8003 },
    other: new Map([[1, Uint8Array.of(224, 1, 1, 1)], [200, new Uint8Array(0)]]),
  };
  const value = encodePxeOptions(options);
  assert.deepEqual(decodePxeOptions(value), options);
  assert.deepEqual(
    [...value.subarray(0, 9)],
    [6, 1, 12, 7, 4, 224, 0, 1, 2],
  );
});

Deno.test("43: an empty model encodes as a lone End, which decodes to an empty model", () => {
  const value = encodePxeOptions({});
  assert.deepEqual(value, Uint8Array.of(255));
  assert.deepEqual(decodePxeOptions(value), {});
});

Deno.test("43 inside a packet: getPxeOptions after a full encode/decode", () => {
  const p = decodePacket(loadFixture("asrock_bios_pxe-arch0-discover-67.bin").bytes);
  assert.equal(getPxeOptions(p.options), undefined);
  p.options.set(Opt.VendorSpecific, encodePxeOptions({ discoveryControl: Discovery.UseBootFile }));
  const again = decodePacket(encodePacket(p));
  assert.deepEqual(again.options.get(Opt.VendorSpecific), Uint8Array.of(6, 1, 8, 255));
  assert.deepEqual(getPxeOptions(again.options), { discoveryControl: 8 });
});

const MALFORMED: [string, number[]][] = [
  ["6 with 2 bytes", [6, 2, 8, 0, 255]],
  ["6 empty", [6, 0, 255]],
  ["7 with 3 bytes", [7, 3, 224, 0, 1, 255]],
  ["8 with a count larger than its addresses", [8, 7, 0x80, 0, 2, 10, 0, 0, 1, 255]],
  ["8 with a 2-byte tail", [8, 9, 0x80, 0, 1, 10, 0, 0, 1, 0x80, 0, 255]],
  ["9 with a description past the end", [9, 5, 0, 0, 9, 0x41, 0x42, 255]],
  ["9 with a 2-byte item", [9, 2, 0x80, 0, 255]],
  ["10 empty", [10, 0, 255]],
  ["71 with 3 bytes", [71, 3, 0x80, 0, 0, 255]],
  ["71 with 5 bytes", [71, 5, 0x80, 0, 0, 0, 0, 255]],
  ["a sub-option length past the end", [6, 1, 8, 9, 40, 0, 0]],
  ["a code with no length", [6, 1, 8, 9]],
];

for (const [label, bytes] of MALFORMED) {
  Deno.test(`43: ${label} → undefined`, () => {
    assert.equal(decodePxeOptions(Uint8Array.from(bytes)), undefined);
    assert.equal(getPxeOptions(new Map([[43, Uint8Array.from(bytes)]])), undefined);
  });
}

Deno.test("43: garbage after End and Pad between sub-options are ignored", () => {
  assert.deepEqual(decodePxeOptions(Uint8Array.of(0, 6, 1, 8, 0, 255, 9, 99)), {
    discoveryControl: 8,
  });
  // A 43 without End (proxyDHCPd's raw text "proxyDHCPd" is not TLV at all → undefined).
  assert.deepEqual(decodePxeOptions(Uint8Array.of(6, 1, 3)), { discoveryControl: 3 });
  const quoted = new TextEncoder().encode('"proxyDHCPd"');
  assert.equal(decodePxeOptions(quoted), undefined);
});

Deno.test("43: a menu too large for one sub-option is refused, not silently truncated", () => {
  const description = "x".repeat(253);
  assert.throws(() => encodePxeOptions({ bootMenu: [{ type: 0x8000, description }] }));
  const fits = encodePxeOptions({ bootMenu: [{ type: 0x8000, description: "x".repeat(252) }] });
  assert.equal(fits.length, 2 + 255 + 1);
});
