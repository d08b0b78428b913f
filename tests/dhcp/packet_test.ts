/**
 * `decodePacket`/`encodePacket` on the edges of RFC 2131/2132/3396: long options, option
 * overload, the 300-byte minimum, NUL-terminated sname/file, option 82 placement, and the exact
 * offset a `DecodeError` reports.
 */
import assert from "node:assert/strict";
import { DecodeError, EncodeError } from "../../src/dhcp/errors.ts";
import {
  BOOTP_MIN_LENGTH,
  decodePacket,
  type DhcpPacket,
  encodedLength,
  encodePacket,
} from "../../src/dhcp/packet.ts";
import { Opt } from "../../src/dhcp/options.ts";
import { loadFixture } from "../support/fixtures.ts";

const COOKIE = [99, 130, 83, 99];
const SNAME = 44;
const FILE = 108;
const OPTIONS = 240;

/** A real EDK2 DISCOVER, decoded afresh for each test. */
function edk2Discover(): DhcpPacket {
  return decodePacket(loadFixture("asrock_uefi_x64-arch7-discover-67.bin").bytes);
}

/** A BOOTREQUEST header (xid 0x01020304, hlen 6) followed by `options` verbatim. */
function raw(options: number[], patch: (b: Uint8Array) => void = () => {}): Uint8Array {
  const b = new Uint8Array(OPTIONS + options.length);
  b.set([1, 1, 6, 0, 1, 2, 3, 4]);
  b.set([0x52, 0x54, 0, 0x12, 0x34, 0x56], 28);
  b.set(COOKIE, 236);
  b.set(options, OPTIONS);
  patch(b);
  return b;
}

function decodeError(bytes: Uint8Array): DecodeError {
  try {
    decodePacket(bytes);
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e}`);
    return e;
  }
  assert.fail("decodePacket accepted the bytes");
}

function filled(length: number, start = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
}

// ---- header ---------------------------------------------------------------------------------

Deno.test("header fields survive a round trip, including xid and flags with the top bit set", () => {
  const p = edk2Discover();
  Object.assign(p, {
    op: 2,
    htype: 6,
    hlen: 16,
    hops: 3,
    xid: 0xfedcba98,
    secs: 0xffff,
    flags: 0x8000,
    ciaddr: "10.0.0.1",
    yiaddr: "0.0.0.0",
    siaddr: "192.168.178.97",
    giaddr: "255.255.255.255",
    chaddr: filled(16, 0xf0),
  });
  const bytes = encodePacket(p);
  assert.deepEqual(
    bytes.subarray(0, 12),
    Uint8Array.of(2, 6, 16, 3, 0xfe, 0xdc, 0xba, 0x98, 255, 255, 0x80, 0),
  );
  assert.deepEqual(bytes.subarray(20, 24), Uint8Array.of(192, 168, 178, 97));
  assert.deepEqual(decodePacket(bytes), p);
});

// Regression: the encoder once wrote garbage for a bad address or hlen > 16.
Deno.test({
  name: "encoder refuses malformed addresses and hlen above 16",
  fn() {
    const cases: Partial<DhcpPacket>[] = [
      { ciaddr: "256.0.0.1" },
      { yiaddr: "1.2.3" },
      { siaddr: "" },
      { giaddr: "1.2.3.4.5.6.7.8.9" },
      { hlen: 17 },
    ];
    for (const change of cases) {
      const p = { ...edk2Discover(), ...change };
      assert.throws(() => encodePacket(p), EncodeError, JSON.stringify(change));
    }
  },
});

Deno.test("decodes a datagram that sits inside a larger buffer", () => {
  const bytes = loadFixture("ipxe_pcbios-arch0-discover-67.bin").bytes;
  const big = new Uint8Array(bytes.length + 100);
  big.set(bytes, 37);
  assert.deepEqual(decodePacket(big.subarray(37, 37 + bytes.length)), decodePacket(bytes));
});

Deno.test("tolerates a missing End option and skips Pad options", () => {
  const p = decodePacket(raw([0, 0, 53, 1, 1, 0, 60, 3, 80, 88, 69]));
  assert.deepEqual([...p.options], [[53, Uint8Array.of(1)], [60, Uint8Array.of(80, 88, 69)]]);
});

Deno.test("stops at End and ignores whatever follows it", () => {
  const p = decodePacket(raw([53, 1, 1, 255, 60, 200, 1, 2]));
  assert.deepEqual([...p.options.keys()], [53]);
});

// ---- padding and length -----------------------------------------------------------------------

Deno.test("a small message is padded with zeros to 300 bytes after End", () => {
  const p = decodePacket(raw([53, 1, 1, 255]));
  const bytes = encodePacket(p);
  assert.equal(bytes.length, BOOTP_MIN_LENGTH);
  assert.equal(encodedLength(p), BOOTP_MIN_LENGTH);
  assert.deepEqual(bytes.subarray(OPTIONS, OPTIONS + 4), Uint8Array.of(53, 1, 1, 255));
  assert.ok(bytes.subarray(OPTIONS + 4).every((b) => b === 0));
});

Deno.test("a large message is not padded: End is the last byte and encodedLength is exact", () => {
  const p = edk2Discover();
  p.options.set(250, filled(200));
  const bytes = encodePacket(p);
  assert.ok(bytes.length > 300);
  assert.equal(bytes.length, encodedLength(p));
  assert.equal(bytes.at(-1), Opt.End);
});

// ---- RFC 3396 long options --------------------------------------------------------------------

for (const length of [255, 256, 300, 510, 511, 1000]) {
  Deno.test(`RFC 3396: a ${length}-byte option is split into 255-byte instances and rejoined`, () => {
    const p = decodePacket(raw([53, 1, 1, 255]));
    const value = filled(length, 7);
    p.options.set(Opt.VendorSpecific, value);
    p.options.set(Opt.VendorClass, Uint8Array.of(80));
    const bytes = encodePacket(p);
    assert.equal(bytes.length, Math.max(300, encodedLength(p)));

    // Walk the wire: consecutive 43 instances of 255 bytes, then the remainder, then 60.
    let at = OPTIONS + 3;
    let rebuilt: number[] = [];
    let instances = 0;
    while (bytes[at] === Opt.VendorSpecific) {
      const len = bytes[at + 1];
      if (instances < Math.floor(length / 255)) assert.equal(len, 255);
      rebuilt = rebuilt.concat([...bytes.subarray(at + 2, at + 2 + len)]);
      instances++;
      at += 2 + len;
    }
    assert.equal(instances, Math.ceil(length / 255));
    assert.deepEqual(Uint8Array.from(rebuilt), value);
    assert.equal(bytes[at], Opt.VendorClass);

    assert.deepEqual(decodePacket(bytes), p);
  });
}

Deno.test("RFC 3396: an empty option is written as one zero-length instance", () => {
  const p = decodePacket(raw([53, 1, 1, 255]));
  p.options.set(224, new Uint8Array(0));
  const bytes = encodePacket(p);
  assert.deepEqual(bytes.subarray(OPTIONS + 3, OPTIONS + 6), Uint8Array.of(224, 0, 255));
  assert.deepEqual(decodePacket(bytes), p);
});

Deno.test("RFC 3396 §7: repeated instances are concatenated in order, at the first position", () => {
  const p = decodePacket(raw([77, 2, 105, 80, 53, 1, 1, 77, 2, 88, 69, 60, 1, 80, 77, 0, 255]));
  assert.deepEqual([...p.options.keys()], [77, 53, 60]);
  assert.deepEqual(p.options.get(77), Uint8Array.of(105, 80, 88, 69));
});

// ---- option overload (52) ---------------------------------------------------------------------

Deno.test("overload 1: options are read from the file field, which then holds no name", () => {
  const p = decodePacket(raw([53, 1, 1, 52, 1, 1, 255], (b) => {
    b.set([0x41, 0x42, 0], SNAME);
    b.set([67, 4, 0x61, 0x2e, 0x65, 0x66, 0, 255], FILE);
  }));
  assert.equal(p.file, "");
  assert.equal(p.sname, "AB");
  assert.deepEqual([...p.options.keys()], [53, 67]);
  assert.deepEqual(p.options.get(67), Uint8Array.of(0x61, 0x2e, 0x65, 0x66));
});

Deno.test("overload 2: options are read from the sname field, which then holds no name", () => {
  const p = decodePacket(raw([53, 1, 1, 52, 1, 2, 255], (b) => {
    b.set([66, 2, 0x68, 0x31, 255], SNAME);
    b.set([0x62, 0x6f, 0x6f, 0x74], FILE);
  }));
  assert.equal(p.sname, "");
  assert.equal(p.file, "boot");
  assert.deepEqual(p.options.get(66), Uint8Array.of(0x68, 0x31));
  assert.ok(!p.options.has(Opt.Overload));
});

Deno.test("overload 3: file is read before sname, and a split option joins across all three", () => {
  const p = decodePacket(raw([53, 1, 1, 60, 1, 0x50, 52, 1, 3, 255], (b) => {
    b.set([60, 2, 0x58, 0x45, 66, 1, 0x73, 255], SNAME);
    b.set([60, 2, 0x58, 0x43, 67, 1, 0x66, 255], FILE);
  }));
  assert.equal(p.sname, "");
  assert.equal(p.file, "");
  assert.deepEqual([...p.options.keys()], [53, 60, 67, 66]);
  assert.deepEqual(p.options.get(60), Uint8Array.of(0x50, 0x58, 0x43, 0x58, 0x45));
  // What the encoder gives back is the same model with every option in the options field.
  assert.deepEqual(decodePacket(encodePacket(p)), p);
});

Deno.test("overload: a 52 inside the overloaded file field is not followed (no loop)", () => {
  // The file field asks for sname overload too; sname must stay text, and decoding ends.
  const p = decodePacket(raw([53, 1, 1, 52, 1, 1, 255], (b) => {
    b.set([0x41, 0x42, 0], SNAME);
    b.set([52, 1, 3, 60, 3, 0x41, 0x42, 0x43, 255], FILE);
  }));
  assert.equal(p.sname, "AB");
  assert.deepEqual(p.options.get(60), Uint8Array.of(0x41, 0x42, 0x43));
});

Deno.test("overload: a 52 inside the overloaded sname field is not followed either", () => {
  const p = decodePacket(raw([53, 1, 1, 52, 1, 2, 255], (b) => {
    b.set([52, 1, 1, 255], SNAME);
    b.set([0x62], FILE);
  }));
  assert.equal(p.file, "b");
});

// Regression: a 52 inside an overloaded field once stayed in the decoded options.
Deno.test({
  name: "overload: a 52 inside an overloaded field does not stay in the decoded options",
  fn() {
    const p = decodePacket(raw([53, 1, 1, 52, 1, 1, 255], (b) => {
      b.set([52, 1, 2, 60, 1, 0x41, 255], FILE);
    }));
    assert.ok(!p.options.has(Opt.Overload));
    assert.deepEqual(decodePacket(encodePacket(p)), p);
  },
});

Deno.test("overload: the encoder never writes option 52", () => {
  const p = edk2Discover();
  p.options.set(Opt.Overload, Uint8Array.of(1));
  assert.throws(() => encodePacket(p), EncodeError);
});

// ---- sname and file -----------------------------------------------------------------------------

Deno.test("sname (63) and file (127) at their maximum keep a NUL terminator", () => {
  const p = edk2Discover();
  p.sname = "s".repeat(63);
  p.file = "f".repeat(127);
  const bytes = encodePacket(p);
  assert.equal(bytes[SNAME + 62], 0x73);
  assert.equal(bytes[SNAME + 63], 0);
  assert.equal(bytes[FILE + 126], 0x66);
  assert.equal(bytes[FILE + 127], 0);
  assert.deepEqual(decodePacket(bytes), p);
});

Deno.test("sname of 64 bytes and file of 128 bytes are refused (no room for the NUL)", () => {
  const p = edk2Discover();
  p.sname = "s".repeat(64);
  assert.throws(() => encodePacket(p), EncodeError);
  p.sname = "";
  p.file = "f".repeat(128);
  assert.throws(() => encodePacket(p), EncodeError);
});

Deno.test("sname/file with a NUL or a character above 0xff are refused", () => {
  for (const bad of ["a\0b", "pxe\u0100"]) {
    const p = edk2Discover();
    p.file = bad;
    assert.throws(() => encodePacket(p), EncodeError, JSON.stringify(bad));
    p.file = "";
    p.sname = bad;
    assert.throws(() => encodePacket(p), EncodeError, JSON.stringify(bad));
  }
});

Deno.test("sname/file are latin1: every byte value 1..255 survives", () => {
  const p = edk2Discover();
  p.file = String.fromCharCode(...Array.from({ length: 127 }, (_, i) => 129 + i));
  p.sname = String.fromCharCode(...Array.from({ length: 63 }, (_, i) => 1 + i));
  assert.deepEqual(decodePacket(encodePacket(p)), p);
});

Deno.test("decode: text ends at the first NUL; an unterminated field is read to its end", () => {
  const p = decodePacket(raw([53, 1, 1, 255], (b) => {
    b.fill(0x78, SNAME, SNAME + 64);
    b.set([0x61, 0, 0x62], FILE);
  }));
  assert.equal(p.sname, "x".repeat(64));
  assert.equal(p.file, "a");
});

// ---- option 82 ----------------------------------------------------------------------------------

Deno.test("option 82 is written last (RFC 3046 §2.1), after options added later", () => {
  const p = decodePacket(raw([82, 4, 1, 2, 0x61, 0x62, 53, 1, 2, 255]));
  p.options.set(Opt.ServerId, Uint8Array.of(10, 0, 0, 1));
  const bytes = encodePacket(p);
  assert.deepEqual(
    bytes.subarray(OPTIONS, OPTIONS + 16),
    Uint8Array.of(53, 1, 2, 54, 4, 10, 0, 0, 1, 82, 4, 1, 2, 0x61, 0x62, 255),
  );
});

// ---- DecodeError offsets -------------------------------------------------------------------

Deno.test("DecodeError: a message shorter than header + cookie, at its length", () => {
  for (const length of [0, 1, 235, 236, 239]) {
    const e = decodeError(new Uint8Array(length));
    assert.equal(e.offset, length);
    assert.match(e.message, /too short/);
  }
});

Deno.test("DecodeError: a wrong magic cookie, at 236", () => {
  const e = decodeError(raw([53, 1, 1, 255], (b) => b.set([99, 130, 83, 98], 236)));
  assert.equal(e.offset, 236);
});

Deno.test("DecodeError: hlen above 16, at 2 (16 itself is fine)", () => {
  assert.equal(decodeError(raw([53, 1, 1, 255], (b) => b[2] = 17)).offset, 2);
  assert.equal(decodeError(raw([53, 1, 1, 255], (b) => b[2] = 255)).offset, 2);
  assert.equal(decodePacket(raw([53, 1, 1, 255], (b) => b[2] = 16)).hlen, 16);
});

Deno.test("DecodeError: an option code with no length byte, at the code", () => {
  const e = decodeError(raw([53, 1, 1, 0, 60]));
  assert.equal(e.offset, OPTIONS + 4);
  assert.match(e.message, /Option 60 has no length/);
});

Deno.test("DecodeError: an option whose value runs past the end, at the code", () => {
  const e = decodeError(raw([53, 1, 1, 97, 17, 0, 1, 2]));
  assert.equal(e.offset, OPTIONS + 3);
  assert.match(e.message, /Option 97 length 17 runs past the end/);
  // One byte short is still past the end; exactly fitting is accepted.
  assert.equal(decodeError(raw([60, 3, 1, 2])).offset, OPTIONS);
  assert.deepEqual(decodePacket(raw([60, 3, 1, 2, 3])).options.get(60), Uint8Array.of(1, 2, 3));
});

Deno.test("DecodeError: an option in an overloaded field that runs past the field", () => {
  const e = decodeError(raw([53, 1, 1, 52, 1, 2, 255], (b) => b.set([66, 70], SNAME + 60)));
  assert.equal(e.offset, SNAME + 60);
  // A length byte that would sit just past sname (in file) also counts as missing.
  const f = decodeError(raw([53, 1, 1, 52, 1, 2, 255], (b) => b[SNAME + 63] = 66));
  assert.equal(f.offset, SNAME + 63);
});

Deno.test("DecodeError: bad overload values (0, 4, 255, two bytes), at the options start", () => {
  for (const value of [[0], [4], [255], [1, 2]]) {
    const e = decodeError(raw([52, value.length, ...value, 53, 1, 1, 255]));
    assert.equal(e.offset, OPTIONS, JSON.stringify(value));
    assert.match(e.message, /overload/);
  }
});

// Regression: a bad overload value was once reported at offset 240, not at the 52.
Deno.test({
  name: "DecodeError: a bad overload value is reported at the 52 option itself",
  fn() {
    const e = decodeError(raw([53, 1, 1, 52, 1, 9, 255]));
    assert.equal(e.offset, OPTIONS + 3);
  },
});

Deno.test("DecodeError is the only error type for truncations of a real packet", () => {
  const bytes = loadFixture("ipxe_efi_x64-arch7-request-67.bin").bytes;
  for (let length = 0; length < bytes.length; length++) {
    try {
      decodePacket(bytes.subarray(0, length));
    } catch (e) {
      assert.ok(e instanceof DecodeError, `length ${length}: ${e}`);
    }
  }
});
