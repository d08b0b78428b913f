/**
 * Fixture generation mode of the real-firmware suite (not part of every CI run):
 *   deno run -A scripts/e2e/capture_fixtures.ts [--proxy proxydhcpd|dnsmasq] [--merge] [id…]
 * Runs the scenarios; if all pass, rewrites tests/fixtures/qemu/ with the distinct client packets
 * (one .bin per UDP payload), manifest.json and README.md. `--merge` keeps the existing fixtures
 * and adds only packets of a kind not yet there (e.g. the 4011 REQUESTs iPXE sends when dnsmasq
 * is the proxy).
 */
import { parseArgs } from "node:util";
import { findFailures } from "./checks.ts";
import type { Evidence } from "./evidence.ts";
import { machine } from "./firmware.ts";
import {
  type ExtractedFixture,
  extractFixtures,
  type QemuFixtureEntry,
  readProvenance,
} from "./fixtures.ts";
import { fixturesReadme } from "./fixtures_readme.ts";
import { PROXY_KINDS, type ProxyKind } from "./proxy.ts";
import { failureReport, successLine } from "./report.ts";
import { runScenario } from "./run_scenario.ts";
import { notApplicable, scenario, SCENARIOS } from "./scenarios.ts";
import { sweepStaleNamespaces } from "./topology.ts";

const OUT_DIR = new URL("../../tests/fixtures/qemu/", import.meta.url);

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  strict: true,
  options: { proxy: { type: "string", default: "proxydhcpd" }, merge: { type: "boolean" } },
});
const proxy = values.proxy as ProxyKind;
if (!PROXY_KINDS.includes(proxy)) {
  console.error(`Cannot capture fixtures: --proxy must be one of ${PROXY_KINDS.join(", ")}`);
  Deno.exit(2);
}
const selected = positionals.length ? positionals.map(scenario) : SCENARIOS;
await sweepStaleNamespaces();

const runs: Evidence[] = [];
for (const s of selected.filter((s) => !notApplicable(s, proxy))) {
  const evidence = await runScenario(s, { proxy, log: (l) => console.log(`[${s.id}] ${l}`) });
  const failures = findFailures(evidence);
  if (failures.length) {
    console.log(failureReport(evidence, failures));
    console.error(`Cannot capture fixtures: scenario ${s.id} failed; nothing written`);
    Deno.exit(1);
  }
  console.log(successLine(evidence));
  runs.push(evidence);
}

const machines = selected.map((s) => machine(s.machine));
const provenance = await readProvenance(
  machines.flatMap((m) => m.packages),
  machines.map((m) => m.qemu),
);
const fixtures = new Map<string, ExtractedFixture>();
if (values.merge) {
  for (const entry of readManifest()) {
    fixtures.set(entry.file, { entry, bytes: Deno.readFileSync(new URL(entry.file, OUT_DIR)) });
  }
}
for (const evidence of runs) {
  for (const fixture of await extractFixtures(evidence, provenance)) {
    if (!fixtures.has(fixture.entry.file)) fixtures.set(fixture.entry.file, fixture);
  }
}

function readManifest(): QemuFixtureEntry[] {
  try {
    return JSON.parse(Deno.readTextFileSync(new URL("manifest.json", OUT_DIR))).fixtures;
  } catch {
    return [];
  }
}

await Deno.mkdir(OUT_DIR, { recursive: true });
for (const old of Deno.readDirSync(OUT_DIR)) {
  if (old.isFile && old.name.endsWith(".bin")) await Deno.remove(new URL(old.name, OUT_DIR));
}
const entries = [...fixtures.values()].map((f) => f.entry);
for (const { entry, bytes } of fixtures.values()) {
  await Deno.writeFile(new URL(entry.file, OUT_DIR), bytes);
}
const manifest = {
  generated_by: "deno run -A scripts/e2e/capture_fixtures.ts",
  fixtures: entries,
};
await Deno.writeTextFile(
  new URL("manifest.json", OUT_DIR),
  JSON.stringify(manifest, null, 2) + "\n",
);
await Deno.writeTextFile(new URL("README.md", OUT_DIR), fixturesReadme(entries));
console.log(`wrote ${entries.length} fixtures to ${OUT_DIR.pathname}`);
Deno.exit(0);
