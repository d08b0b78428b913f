/**
 * Codec properties over generated messages: every model the encoder accepts comes back from
 * the decoder unchanged, and arbitrary bytes never raise anything but DecodeError.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../src/dhcp/errors.ts";
import { decodePacket, encodedLength, encodePacket } from "../../src/dhcp/packet.ts";
import { Opt } from "../../src/dhcp/options.ts";
import { packetModel } from "../../scripts/fuzz/arbitraries.ts";
import { blankHead } from "../../scripts/fuzz/wire.ts";

Deno.test("decode(encode(p)) deep-equals p, with option 82 moved last", () => {
  fc.assert(
    fc.property(packetModel, (p) => {
      const bytes = encodePacket(p);
      assert.equal(bytes.length, encodedLength(p));
      assert.ok(bytes.length >= 300);
      const again = decodePacket(bytes);
      assert.deepEqual(again, p);
      // deepEqual compares Maps regardless of order; the order is part of the contract.
      const order = [...p.options.keys()].filter((c) => c !== Opt.RelayAgentInfo);
      if (p.options.has(Opt.RelayAgentInfo)) order.push(Opt.RelayAgentInfo);
      assert.deepEqual([...again.options.keys()], order);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("encode(decode(b)) is a fixed point after one round", () => {
  fc.assert(
    fc.property(packetModel, (p) => {
      const once = encodePacket(p);
      assert.deepEqual(encodePacket(decodePacket(once)), once);
    }),
    { numRuns: 500 },
  );
});

Deno.test("arbitrary bytes: decodePacket throws nothing but DecodeError", () => {
  const withCookie = fc.uint8Array({ maxLength: 400 }).map((tail) => {
    const out = new Uint8Array(240 + tail.length);
    out.set(blankHead());
    out.set(tail, 240);
    return out;
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 700 }), withCookie), (bytes) => {
      try {
        decodePacket(bytes);
      } catch (error) {
        assert.ok(error instanceof DecodeError, String(error));
        assert.ok(error.offset >= 0 && error.offset <= bytes.length, `offset ${error.offset}`);
      }
    }),
    { numRuns: 3000 },
  );
});
