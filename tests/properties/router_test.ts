/**
 * Router properties over generated PXE clients (firmware, iPXE in three disguises, UEFI HTTP;
 * with and without 93, 97, 82, 57, relays and boot items) under the three fuzz configs: what a
 * proxy must never send, what it must always send, and one boot file per client on both ports.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodePacket, type DhcpPacket, encodePacket } from "../../src/dhcp/packet.ts";
import { decide, type Port } from "../../src/pxe/decide.ts";
import type { Decision } from "../../src/pxe/decision.ts";
import { buildReply } from "../../src/pxe/reply.ts";
import { pxeClient, type PxeClientCase } from "../../scripts/fuzz/arbitraries.ts";
import { fuzzConfigs, type NamedConfig } from "../../scripts/fuzz/configs.ts";
import { replyProblems } from "../../scripts/fuzz/pipeline.ts";

const configs = fuzzConfigs();
const clientAndConfig = fc.tuple(pxeClient, fc.constantFrom(...configs));

/** The request as the server sees it: encoded by the client, decoded by us. */
function received(packet: DhcpPacket): DhcpPacket {
  return decodePacket(encodePacket(packet));
}

interface Exchange {
  request: DhcpPacket;
  decision: Decision;
  replyBytes?: Uint8Array;
  reply?: DhcpPacket;
}

function exchange(packet: DhcpPacket, port: Port, named: NamedConfig): Exchange {
  const request = received(packet);
  const decision = decide(request, port, named.config);
  if (decision.action === "drop") return { request, decision };
  const replyBytes = encodePacket(buildReply(request, decision, named.server, named.config));
  return { request, decision, replyBytes, reply: decodePacket(replyBytes) };
}

function both(c: PxeClientCase, named: NamedConfig): [Exchange, Exchange] {
  return [exchange(c.discover, "dhcp", named), exchange(c.request, "pxe", named)];
}

Deno.test("replies: yiaddr 0, no 51/58/59/1/3/6/52, carry 53/54/60, echo 97 and 82, ≥ 300", () => {
  let replies = 0;
  fc.assert(
    fc.property(clientAndConfig, ([c, named]) => {
      for (const x of both(c, named)) {
        if (x.reply === undefined) continue;
        replies++;
        const problems = replyProblems(x.request, x.replyBytes!, x.reply);
        assert.deepEqual(problems, [], `${named.name} ${x.decision.action}`);
      }
    }),
    { numRuns: 1500 },
  );
  assert.ok(replies > 500, `only ${replies} replies: the generator misses the router`);
});

Deno.test("the boot file on 67 (DISCOVER) and on 4011 (REQUEST) is the same for a client", () => {
  let compared = 0;
  fc.assert(
    fc.property(clientAndConfig, ([c, named]) => {
      const [offer, ack] = both(c, named);
      if (offer.decision.action === "drop" || ack.decision.action === "drop") return;
      compared++;
      assert.equal(ack.decision.bootFile, offer.decision.bootFile);
      // What the client reads: a file in the OFFER (direct, ipxe, http) is the ACK's file.
      if (offer.reply!.file !== "") assert.equal(ack.reply!.file, offer.reply!.file);
      assert.notEqual(ack.reply!.file, "");
    }),
    { numRuns: 1500 },
  );
  assert.ok(compared > 300, `only ${compared} clients answered on both ports`);
});

Deno.test("a BINL offer (no file, come to 4011) is followed by an ACK on 4011", () => {
  fc.assert(
    fc.property(clientAndConfig, ([c, named]) => {
      const [offer, ack] = both(c, named);
      if (offer.decision.action === "drop" || offer.decision.recipe !== "binl") return;
      assert.equal(offer.reply!.file, "");
      assert.equal(offer.reply!.siaddr, named.server.address);
      assert.equal(
        ack.decision.action,
        "ack",
        ack.decision.action === "drop" ? ack.decision.reason : "",
      );
    }),
    { numRuns: 1500 },
  );
});

// Counter-examples that once failed: the real uboot_riscv64_efi-arch27-discover-67.bin (57 = 576)
// under the uefi-direct config (659-byte OFFER), and a DISCOVER carrying a 255-byte option 82.
Deno.test({
  name: "reply length ≤ the client's option 57, or 576 when absent (82 excluded: relays strip it)",
  fn() {
    fc.assert(
      fc.property(clientAndConfig, ([c, named]) => {
        for (const x of both(c, named)) {
          if (x.reply === undefined) continue;
          const problems = replyProblems(x.request, x.replyBytes!, x.reply);
          assert.deepEqual(problems.filter((p) => p.includes("over the client's")), []);
        }
      }),
      { numRuns: 1500 },
    );
  },
});
