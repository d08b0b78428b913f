/**
 * The codec on real firmware and server packets (tests/fixtures/public): every field the
 * manifest records (measured with tshark and an independent parser) must come out of
 * `decodePacket`, and `encodePacket` must give the same message back.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodePacket, type DhcpPacket, encodePacket } from "../../src/dhcp/packet.ts";
import {
  getClientArchs,
  getClientGuid,
  getMaxMessageSize,
  getMessageType,
  getParamRequestList,
  getVendorClass,
  hex,
  messageTypeName,
  Opt,
} from "../../src/dhcp/options.ts";
import { allFixtures, fixtureEntries, fixtureFilesOnDisk, macBytes } from "../support/fixtures.ts";

const fixtures = allFixtures();

Deno.test("every fixture on disk is in the manifest and matches its sha256 and length", () => {
  const listed = fixtureEntries().map((e) => e.file).sort();
  assert.deepEqual(fixtureFilesOnDisk(), listed);
  assert.equal(listed.length, 35);
  for (const { name, bytes, entry } of fixtures) {
    assert.equal(createHash("sha256").update(bytes).digest("hex"), entry.sha256, name);
    assert.equal(bytes.length, entry.length, name);
  }
});

for (const { name, bytes, entry } of fixtures) {
  Deno.test(`decode ${name}: fields match the manifest`, () => {
    const p = decodePacket(bytes);
    const o = p.options;
    assert.equal(p.op, entry.role === "client" ? 1 : 2);
    assert.equal(messageTypeName(getMessageType(o)).toLowerCase(), entry.message_type);
    assert.equal(p.xid, parseInt(entry.xid, 16));
    assert.equal(p.htype, 1);
    assert.equal(p.hlen, 6);
    assert.deepEqual(p.chaddr.subarray(0, 6), macBytes(entry.chaddr));
    assert.deepEqual([...o.keys()], entry.options_order);

    assert.equal(getClientArchs(o)?.[0] ?? null, entry.arch_option93);
    assert.equal(getVendorClass(o) ?? null, entry.vendor_class_60);
    assert.equal(optionHex(p, Opt.UserClass), entry.user_class_77);
    assert.equal(optionHex(p, Opt.ClientGuid), entry.guid_97);
    // The accessor checks the type byte and returns only the 16 GUID bytes.
    assert.equal(getClientGuid(o) ?? null, entry.guid_97?.slice(2) ?? null);
    assert.equal(optionHex(p, Opt.ClientNdi), entry.ndi_94);
    assert.equal(getMaxMessageSize(o) ?? null, entry.max_message_size_57);
    assert.deepEqual(getParamRequestList(o) ?? null, entry.parameter_request_list_55);
    assert.equal(o.has(Opt.Ipxe), entry.has_option_175);
    assert.equal(p.sname, entry.sname ?? "");
    assert.equal(p.file, entry.file_field ?? "");
  });

  Deno.test(`re-encode ${name}: lossless, same option order, padded to 300`, () => {
    const p = decodePacket(bytes);
    const again = encodePacket(p);
    assert.ok(again.length >= 300, `${again.length} bytes`);
    assert.deepEqual(decodePacket(again), p);

    const order = [...p.options.keys()];
    const expectedOrder = [...order.filter((c) => c !== Opt.RelayAgentInfo)];
    if (p.options.has(Opt.RelayAgentInfo)) expectedOrder.push(Opt.RelayAgentInfo);
    assert.deepEqual(wireOrder(again), expectedOrder);

    // These captures have no Pad options, so the encoder reproduces them byte for byte; only
    // the zero padding after End differs (stripped from the fixture, added up to 300 here).
    const common = Math.min(bytes.length, again.length);
    assert.deepEqual(again.subarray(0, common), bytes.subarray(0, common));
    assert.ok(again.subarray(common).every((b) => b === 0));
  });
}

Deno.test("fixture coverage: client and server roles, several message types and arches", () => {
  const types = new Set(fixtures.map((f) => f.entry.message_type));
  for (const t of ["discover", "request", "release", "offer", "ack"]) assert.ok(types.has(t), t);
  const arches = new Set(fixtures.map((f) => f.entry.arch_option93));
  for (const a of [0, 7, 16, 22, 27, null]) assert.ok(arches.has(a), String(a));
});

function optionHex(p: DhcpPacket, code: number): string | null {
  const v = p.options.get(code);
  return v === undefined ? null : hex(v);
}

/** Option codes in the order they appear in the options field of `bytes`. */
function wireOrder(bytes: Uint8Array): number[] {
  const codes: number[] = [];
  let at = 240;
  while (at < bytes.length && bytes[at] !== Opt.End) {
    if (bytes[at] === Opt.Pad) {
      at++;
      continue;
    }
    if (codes.at(-1) !== bytes[at]) codes.push(bytes[at]);
    at += 2 + bytes[at + 1];
  }
  return codes;
}
