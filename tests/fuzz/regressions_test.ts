/**
 * The fuzz pipeline in CI: the public fixtures as they are, every input the fuzzer ever saved
 * (tests/fixtures/fuzz-regressions), and a bounded fuzz run with a fixed seed.
 */
import assert from "node:assert/strict";
import { decodePacket, encodePacket } from "../../src/dhcp/packet.ts";
import { hex, Opt, u8 } from "../../src/dhcp/options.ts";
import { fuzzConfigs } from "../../scripts/fuzz/configs.ts";
import { allFixtureBytes, savedRegressions } from "../../scripts/fuzz/corpus.ts";
import { replyProblems, runPipeline, type Violation } from "../../scripts/fuzz/pipeline.ts";
import { runFuzz } from "../../scripts/fuzz/run.ts";
import { loadFixture } from "../support/fixtures.ts";

const configs = fuzzConfigs();

function unexpected(violations: Violation[]): Violation[] {
  return violations;
}

function describe(label: string, violations: Violation[]): string {
  return violations.map((v) => `${label} [${v.config} ${v.port}] ${v.stage}: ${v.message}`)
    .join("\n");
}

Deno.test("every public fixture passes the pipeline unmodified", () => {
  const fixtures = allFixtureBytes();
  assert.equal(fixtures.length, 35);
  for (const bytes of fixtures) {
    const bad = unexpected(runPipeline(bytes, configs));
    assert.deepEqual(bad, [], describe(hex(bytes.subarray(0, 8)), bad));
  }
});

Deno.test("every saved fuzz regression input passes the pipeline", () => {
  const saved = savedRegressions();
  assert.ok(saved.length > 0, "tests/fixtures/fuzz-regressions is empty");
  for (const { name, bytes } of saved) {
    const bad = unexpected(runPipeline(bytes, configs));
    assert.deepEqual(bad, [], describe(name, bad));
  }
});

Deno.test("bounded fuzz run: 50,000 inputs, seed 20261204, nothing escapes", () => {
  const result = runFuzz({ runs: 50_000, seed: 20261204 });
  const bad = result.failures.flatMap((f) =>
    unexpected(f.violations).map((v) => ({
      ...v,
      message: `${v.message}; input ${hex(f.input.bytes)}`,
    }))
  );
  assert.deepEqual(bad.slice(0, 3), [], describe("fuzz", bad.slice(0, 3)));
  // The run must reach the router, not stop in the decoder: all three generators ran, and a
  // good share of inputs got replies.
  assert.equal(result.byGenerator.size, 3);
  assert.ok(result.tally.replies > 10_000, `only ${result.tally.replies} replies`);
  assert.ok(result.tally.decodeErrors < 30_000, `${result.tally.decodeErrors} decode errors`);
});

Deno.test({
  name: "replies stay within the client's maximum message size, fixtures and saved inputs",
  fn() {
    const inputs = [...allFixtureBytes(), ...savedRegressions().map((r) => r.bytes)];
    for (const bytes of inputs) {
      const violations = runPipeline(bytes, configs);
      assert.deepEqual(violations, [], describe(hex(bytes.subarray(0, 8)), violations));
    }
  },
});

Deno.test("the reply rules catch each kind of bad reply", () => {
  const request = decodePacket(loadFixture("hyperv_gen1_legacy_pxe-arch0-discover-67.bin").bytes);
  request.options.set(Opt.RelayAgentInfo, Uint8Array.of(1, 2, 0x61, 0x62));
  const good = {
    ...request,
    op: 2,
    options: new Map([
      [Opt.MessageType, u8(2)],
      [Opt.ServerId, Uint8Array.of(10, 0, 0, 1)],
      [Opt.VendorClass, new TextEncoder().encode("PXEClient")],
      [Opt.ClientGuid, request.options.get(Opt.ClientGuid)!],
      [Opt.RelayAgentInfo, request.options.get(Opt.RelayAgentInfo)!],
    ]),
  };
  const check = (reply: typeof good) => {
    const bytes = encodePacket(reply);
    return replyProblems(request, bytes, decodePacket(bytes));
  };
  assert.deepEqual(check(good), []);

  const withOptions = (edit: (o: Map<number, Uint8Array>) => void) => {
    const options = new Map(good.options);
    edit(options);
    return check({ ...good, options });
  };
  assert.deepEqual(check({ ...good, yiaddr: "10.0.0.9" }), ["yiaddr is 10.0.0.9"]);
  assert.deepEqual(check({ ...good, xid: good.xid ^ 1 }), ["xid differs from the request"]);
  assert.deepEqual(withOptions((o) => o.set(Opt.LeaseTime, new Uint8Array(4))), [
    "carries option 51",
  ]);
  assert.deepEqual(withOptions((o) => o.delete(Opt.ServerId)), ["lacks option 54"]);
  assert.deepEqual(withOptions((o) => o.delete(Opt.ClientGuid)), ["does not echo option 97"]);
  assert.deepEqual(withOptions((o) => o.set(Opt.RelayAgentInfo, Uint8Array.of(1, 0))), [
    "echoes option 82 altered",
  ]);
  // 57 = 1260 here; 1000 bytes of option 250 make the reply 1294 bytes.
  assert.deepEqual(withOptions((o) => o.set(250, new Uint8Array(1000))), [
    "is 1288 bytes without 82, over the client's 1260",
  ]);
});
