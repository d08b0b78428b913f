import { deepStrictEqual as equal } from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../src/config/sha256.ts";

Deno.test("sha256Hex: FIPS 180-4 vectors and block boundaries against node:crypto", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  equal(sha256Hex(text("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  equal(sha256Hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 4096 + 7]) {
    const data = crypto.getRandomValues(new Uint8Array(length));
    equal(sha256Hex(data), createHash("sha256").update(data).digest("hex"), `length ${length}`);
  }
});
