/**
 * Real PXE firmware (EDK2, iPXE ROMs, SeaBIOS, AAVMF) booting under QEMU through proxydhcpd on
 * an isolated network of namespaces (scripts/e2e/), on one segment or (x64-uefi-edk2-relayed)
 * routed through a DHCP relay. Run with `deno task e2e` as root.
 * `E2E_PROXY=dnsmasq` runs the same scenarios against dnsmasq's proxy mode, as a reference.
 */
import assert from "node:assert/strict";
import { findFailures } from "../../scripts/e2e/checks.ts";
import { PROXY_KINDS, type ProxyKind } from "../../scripts/e2e/proxy.ts";
import { ensurePrerequisites, skipReason } from "../../scripts/e2e/prerequisites.ts";
import { failureReport, successLine } from "../../scripts/e2e/report.ts";
import { runScenario } from "../../scripts/e2e/run_scenario.ts";
import { notApplicable, SCENARIOS } from "../../scripts/e2e/scenarios.ts";
import { listNamespaces, NETNS_PREFIX, sweepStaleNamespaces } from "../../scripts/e2e/topology.ts";

/** The budget for the whole suite on a 2-core machine. */
const SUITE_BUDGET_S = 8 * 60;

const skip = skipReason();
if (skip) console.warn(`SKIPPED real-firmware e2e: ${skip}`);

const proxy = (Deno.env.get("E2E_PROXY") ?? "proxydhcpd") as ProxyKind;
const suiteStarted = Date.now();
let prepared: Promise<void> | undefined;

function prepare(): Promise<void> {
  prepared ??= (async () => {
    if (!PROXY_KINDS.includes(proxy)) {
      throw new Error(`Cannot run the e2e suite: E2E_PROXY must be one of ${PROXY_KINDS}`);
    }
    await ensurePrerequisites(proxy);
    const swept = await sweepStaleNamespaces();
    if (swept.length) console.log(`swept namespaces of dead runs: ${swept.join(" ")}`);
  })();
  return prepared;
}

const options = { ignore: skip !== undefined, sanitizeOps: false, sanitizeResources: false };

for (const s of SCENARIOS) {
  const notHere = notApplicable(s, proxy);
  if (notHere && !skip) console.warn(`SKIPPED e2e ${s.id} with ${proxy}: ${notHere}`);
  Deno.test({
    ...options,
    ignore: options.ignore || notHere !== undefined,
    name: `e2e ${s.id}: ${s.title}`,
    async fn() {
      await prepare();
      const evidence = await runScenario(s, {
        proxy,
        keepWorkDir: true,
        log: (line) => console.log(`  ${line}`),
      });
      const failures = findFailures(evidence);
      if (failures.length) assert.fail(failureReport(evidence, failures));
      await Deno.remove(evidence.workDir, { recursive: true });
      console.log(successLine(evidence));
    },
  });
}

Deno.test({
  ...options,
  name: "e2e suite: left no namespace behind and stayed within its time budget",
  async fn() {
    const ours = (await listNamespaces()).filter((ns) =>
      ns.startsWith(`${NETNS_PREFIX}${Deno.pid}-`)
    );
    assert.deepEqual(ours, [], "namespaces of this run still exist");
    const elapsed = (Date.now() - suiteStarted) / 1000;
    console.log(`suite time ${elapsed.toFixed(1)} s (budget ${SUITE_BUDGET_S} s)`);
    assert.ok(elapsed <= SUITE_BUDGET_S, `suite took ${elapsed.toFixed(0)} s`);
  },
});
