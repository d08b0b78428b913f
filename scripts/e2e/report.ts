/** Human-readable results: one evidence line on success, the full story on failure. */
import { clientDiscovers, findDrop, proxyFrames } from "./checks.ts";
import { bootFile } from "./capture.ts";
import { summarizeCapture } from "./capture_summary.ts";
import type { Evidence } from "./evidence.ts";
import { relaySummary } from "./relay_checks.ts";

const SERIAL_TAIL_LINES = 40;

export interface Timings {
  /** Seconds from QEMU start to the client's first DISCOVER. */
  firstDiscover?: number;
  /** Seconds from QEMU start to the marker. */
  marker?: number;
  /** Seconds from QEMU start to the end of the run. */
  total: number;
}

export function timings(e: Evidence): Timings {
  const first = clientDiscovers(e.frames)[0];
  return {
    firstDiscover: first ? first.time - e.qemuStartedAt : undefined,
    marker: e.markerAt !== undefined ? e.markerAt - e.qemuStartedAt : undefined,
    total: e.endedAt - e.qemuStartedAt,
  };
}

function seconds(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(1)} s`;
}

export function successLine(e: Evidence): string {
  const t = timings(e);
  return `[${e.scenario.id}] ok via ${e.proxyKind}: ${evidenceSummary(e)}; first DISCOVER ${
    seconds(t.firstDiscover)
  }, marker ${seconds(t.marker)}, run ${seconds(t.total)} after QEMU start`;
}

/** The one fact that made the scenario pass. */
function evidenceSummary(e: Evidence): string {
  const facts = expectationSummary(e);
  return e.scenario.network === "relayed" ? `${facts}; ${relaySummary(e)}` : facts;
}

function expectationSummary(e: Evidence): string {
  const expect = e.scenario.expect;
  switch (expect.kind) {
    case "marker":
      return `serial: "${e.markerLine}"`;
    case "dropped": {
      const discovers = clientDiscovers(e.frames, expect.archCode);
      const watched = discovers.length ? e.endedAt - discovers[0].time : 0;
      const drop = findDrop(e.decisions, expect.arch);
      const logged = drop
        ? `log {"action":"drop","reason":${JSON.stringify(drop.reason)},"arch":"${expect.arch}"}`
        : "no decision log (reference proxy)";
      return `proxy silent for ${
        watched.toFixed(1)
      } s over ${discovers.length} DISCOVERs, ${logged}`;
    }
    case "answered": {
      const ack = proxyFrames(e.frames).find((f) => f.srcPort === 4011);
      return `proxy OFFER + 4011 ACK file=${ack ? bootFile(ack) : "?"}`;
    }
  }
}

export function failureReport(e: Evidence, failures: readonly string[]): string {
  const t = timings(e);
  const sections = [
    `[${e.scenario.id}] FAILED via ${e.proxyKind} (run id ${e.runId}): ${e.scenario.title}`,
    ...failures.map((f) => `  - ${f}`),
    `  timings: first DISCOVER ${seconds(t.firstDiscover)}, marker ${seconds(t.marker)}, run ${
      seconds(t.total)
    }${e.timedOut ? " (deadline hit)" : ""}; QEMU exit ${
      e.qemuExit ? e.qemuExit.code : "killed by the harness"
    }`,
    `  work dir: ${e.workDir}`,
    "--- proxy config ---",
    e.proxyConfig.trimEnd(),
    "--- proxy decision log ---",
    ...(e.decisions.length ? e.decisions.map((d) => JSON.stringify(d)) : ["(none)"]),
    `--- proxy output (${e.proxyKind}), other lines, tail ---`,
    ...tail(e.proxyLog.filter((line) => !/"action":/.test(line)), 30),
    ...(e.relayLog ? ["--- DHCP relay log (tail) ---", ...tail(e.relayLog, 20)] : []),
    "--- capture summary (udp 67/68/4011 on the VM's tap) ---",
    ...summarizeCapture(e.frames, e.qemuStartedAt),
    `--- serial console, last ${SERIAL_TAIL_LINES} lines ---`,
    ...tail(cleanConsole(e.serial).split("\n"), SERIAL_TAIL_LINES),
    "--- primary DHCP log (tail) ---",
    ...tail(e.primaryLog, 15),
  ];
  return sections.join("\n");
}

function tail<T>(items: readonly T[], n: number): T[] {
  return items.slice(Math.max(0, items.length - n));
}

/** Strips ANSI escapes and carriage returns that EDK2 and iPXE put on the serial line. */
export function cleanConsole(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "").replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x08\x0b-\x1f]/g,
    "",
  ).split("\n").filter((line) => line.trim() !== "").join("\n");
}
