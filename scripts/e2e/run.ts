/**
 * Runs scenarios from the command line, for development and diagnosis:
 *   deno run -A scripts/e2e/run.ts [--proxy proxydhcpd|dnsmasq] [--keep] [scenario-id…]
 * Prints the evidence line or the failure report of each; exits 1 if any failed.
 */
import { parseArgs } from "node:util";
import { findFailures } from "./checks.ts";
import { PROXY_KINDS, type ProxyKind } from "./proxy.ts";
import { failureReport, successLine } from "./report.ts";
import { runScenario } from "./run_scenario.ts";
import { notApplicable, scenario, SCENARIOS } from "./scenarios.ts";
import { sweepStaleNamespaces } from "./topology.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  strict: true,
  options: { proxy: { type: "string", default: "proxydhcpd" }, keep: { type: "boolean" } },
});
const proxy = values.proxy as ProxyKind;
if (!PROXY_KINDS.includes(proxy)) {
  console.error(`Cannot run: --proxy must be one of ${PROXY_KINDS.join(", ")}`);
  Deno.exit(2);
}
const selected = positionals.length ? positionals.map(scenario) : SCENARIOS;
const swept = await sweepStaleNamespaces();
if (swept.length) console.log(`swept stale namespaces: ${swept.join(" ")}`);

const started = Date.now();
let failed = 0;
let passed = 0;
for (const s of selected) {
  const notHere = notApplicable(s, proxy);
  if (notHere) {
    console.log(`[${s.id}] skipped with ${proxy}: ${notHere}`);
    continue;
  }
  const evidence = await runScenario(s, {
    proxy,
    keepWorkDir: values.keep,
    log: (line) => console.log(`[${s.id}] ${line}`),
  });
  const failures = findFailures(evidence);
  if (failures.length) {
    failed++;
    console.log(failureReport(evidence, failures));
  } else {
    passed++;
    console.log(successLine(evidence));
  }
}
console.log(
  `${passed} passed, ${failed} failed in ${(Date.now() - started) / 1000} s`,
);
Deno.exit(failed ? 1 : 0);
