/**
 * CI smoke run of the boot-storm bench against proxydhcpd: the real daemon in a private network
 * namespace, the C load generator sending real firmware packets from distinct MACs at a low rate
 * on both ports. Asserts that every reply is correct and none is lost; no timing is asserted
 * (CI shares its cores). The full benchmark is `deno task bench` (docs/performance.md).
 */
import assert from "node:assert/strict";
import {
  buildLoadgen,
  probeStartup,
  runLoadgen,
  type Target,
} from "../../scripts/bench/loadgen.ts";
import { createNamespace } from "../../scripts/bench/netns.ts";
import { type Running, startResponder } from "../../scripts/bench/process.ts";
import {
  DEFAULT_PROXYDHCPD,
  dhcpTarget,
  type Ports,
  proxydhcpd,
  pxeTarget,
} from "../../scripts/bench/responders.ts";

/** Not the defaults, so the test also shows the `[server]` port keys are honoured. */
const PORTS: Ports = { dhcp: 1067, pxe: 14011, client: 1068 };
const RATE = 500;
const SECONDS = 2;

Deno.test({
  name: "bench smoke: proxydhcpd answers every request correctly at 500/s on both ports",
  // `ip netns` needs root; CI runs as root, so this only skips on a developer's user account.
  ignore: Deno.uid() !== 0,
  async fn() {
    await buildLoadgen();
    const ns = await createNamespace("pxsmoke");
    const scratch = Deno.makeTempDirSync({ prefix: "pxsmoke-" });
    const responder = proxydhcpd(DEFAULT_PROXYDHCPD);
    let daemon: Running | undefined;
    try {
      const pxe = pxeTarget(responder, PORTS);
      const dhcp = dhcpTarget(responder, PORTS);
      const argv = responder.command(scratch, PORTS);
      const startup = await probeStartup(ns, undefined, pxe, 30, () => {
        daemon = startResponder(ns, undefined, argv, `${scratch}/out.log`, `${scratch}/err.log`);
      });
      assert.equal(
        startup.result.valid,
        1,
        `no valid reply from proxydhcpd:\n${Deno.readTextFileSync(`${scratch}/err.log`)}`,
      );

      for (const [name, target] of [["udp/4011", pxe], ["udp/67", dhcp]] as [string, Target][]) {
        const run = await runLoadgen(ns, undefined, target, {
          mode: "open",
          duration: SECONDS,
          rate: RATE,
          window: 2,
        });
        assert.equal(run.sent, RATE * SECONDS, `${name}: requests sent`);
        assert.deepEqual(
          { wrong: run.wrong, wrongBy: run.wrong_by },
          { wrong: 0, wrongBy: Object.fromEntries(Object.keys(run.wrong_by).map((k) => [k, 0])) },
          `${name}: wrong replies`,
        );
        assert.equal(run.valid, run.sent, `${name}: ${run.lost} of ${run.sent} lost`);
      }

      // The checker itself must be able to fail: the same ACKs judged against another file.
      const strict = await runLoadgen(ns, undefined, { ...pxe, bootFile: "not-this.efi" }, {
        mode: "open",
        duration: 0.2,
        rate: 50,
        window: 1,
      });
      assert.equal(strict.valid, 0);
      assert.equal(strict.wrong_by.boot_file, strict.sent);

      // Production-like logging was on: one decision line per reply (JSON lines on stdout).
      const decisions = Deno.readTextFileSync(`${scratch}/out.log`).split("\n")
        .filter((line) => line.includes('"proxydhcpd.decision"'));
      assert.ok(decisions.length >= 2 * RATE * SECONDS, `only ${decisions.length} decision lines`);
    } finally {
      await daemon?.stop();
      await ns.remove();
      Deno.removeSync(scratch, { recursive: true });
    }
  },
});
