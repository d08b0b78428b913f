/**
 * Runs one scenario end to end: network, servers, proxy, capture, QEMU; waits until the
 * scenario is settled, QEMU exits or the deadline passes; then stops everything by PID, deletes
 * the namespaces and returns the evidence. Cleanup also runs on SIGINT/SIGTERM (supervisor.ts).
 */
import { readCapture, startCapture } from "./capture.ts";
import { settled } from "./checks.ts";
import { sleep } from "./command.ts";
import type { Evidence } from "./evidence.ts";
import { machine, qemuCommand } from "./firmware.ts";
import { type ProxyKind, type RunningProxy, startProxy } from "./proxy.ts";
import { startRelay } from "./relay.ts";
import type { Scenario } from "./scenarios.ts";
import { markerPattern, startFileServers, startPrimaryDhcp } from "./servers.ts";
import { onEmergency, type Supervised, Supervisor } from "./supervisor.ts";
import { createTopology, destroyTopology, destroyTopologySync, type Topology } from "./topology.ts";

export interface RunOptions {
  proxy: ProxyKind;
  /** Keep the work dir (pcap, serial log, server logs) even when the caller does not need it. */
  keepWorkDir?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

const POLL_MS = 250;

export async function runScenario(s: Scenario, options: RunOptions): Promise<Evidence> {
  const log = options.log ?? (() => {});
  const runId = crypto.randomUUID().slice(0, 8);
  const workDir = await Deno.makeTempDir({ prefix: `pxe-e2e-${s.id}-` });
  const supervisor = new Supervisor(workDir);
  let topology: Topology | undefined;
  const unregister = onEmergency(() => topology && destroyTopologySync(topology));
  const problems: string[] = [];
  try {
    topology = await createTopology(s.network);
    log(`network ${topology.bridgeNs.replace(/-br$/, "-*")} up; run id ${runId}`);
    const primary = await startPrimaryDhcp(supervisor, topology);
    await startFileServers(supervisor, topology, runId);
    const proxy = await startProxy(options.proxy, supervisor, topology, s.setup);
    const relay = topology.relayNs ? await startRelay(supervisor, topology) : undefined;
    const pcapPath = `${workDir}/dhcp.pcap`;
    const tcpdump = await startCapture(supervisor, topology.bridgeNs, topology.tap, pcapPath);

    const m = machine(s.machine);
    const varsCopy = `${workDir}/vars.fd`;
    if (m.vars) await Deno.copyFile(m.vars, varsCopy);
    const serialPath = `${workDir}/serial.log`;
    const qemu = supervisor.spawn(
      "qemu",
      qemuCommand(m, { tap: topology.tap, mac: s.mac, serialPath, varsCopy }),
      { netns: topology.bridgeNs },
    );
    const qemuStartedAt = Date.now() / 1000;
    log(`${m.qemu} started (${m.description}), deadline ${s.deadlineMs / 1000} s`);

    const watched = await watch(s, { qemu, proxy, pcapPath, serialPath, runId, qemuStartedAt });
    if (watched.proxyDied) problems.push(`the proxy exited during the run`);
    if (relay?.exited()) problems.push(`the DHCP relay exited during the run`);
    if (qemu.exited() && !watched.markerLine && s.expect.kind === "marker") {
      problems.push(`QEMU exited (code ${(await qemu.done).code}) before the marker`);
    }
    const qemuExit = qemu.exited() ? await qemu.done : undefined;
    await supervisor.stop(qemu);
    await sleep(300); // Let tcpdump write the last packets (-U flushes per packet).
    await supervisor.stop(tcpdump);
    const endedAt = Date.now() / 1000;
    const evidence: Evidence = {
      scenario: s,
      proxyKind: options.proxy,
      runId,
      workDir,
      qemuStartedAt,
      endedAt,
      qemuExit,
      timedOut: watched.timedOut,
      frames: readCapture(pcapPath),
      pcap: await Deno.readFile(pcapPath),
      serial: readTextOrEmpty(serialPath),
      markerLine: watched.markerLine,
      markerAt: watched.markerAt,
      proxyConfig: proxy.config,
      proxyLog: proxy.logLines(),
      decisions: proxy.decisions(),
      primaryLog: outputLines(primary),
      relayLog: relay && outputLines(relay),
      problems,
    };
    return evidence;
  } finally {
    await supervisor.stopAll();
    if (topology) await destroyTopology(topology);
    unregister();
    supervisor.dispose();
    if (!options.keepWorkDir) await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

interface Watched {
  timedOut: boolean;
  proxyDied: boolean;
  markerLine?: string;
  markerAt?: number;
}

async function watch(
  s: Scenario,
  w: {
    qemu: Supervised;
    proxy: RunningProxy;
    pcapPath: string;
    serialPath: string;
    runId: string;
    qemuStartedAt: number;
  },
): Promise<Watched> {
  const pattern = markerPattern(w.runId);
  const deadline = w.qemuStartedAt + s.deadlineMs / 1000;
  const result: Watched = { timedOut: false, proxyDied: false };
  while (true) {
    const now = Date.now() / 1000;
    if (!result.markerLine) {
      const match = readTextOrEmpty(w.serialPath).match(pattern);
      if (match) {
        result.markerLine = match[0];
        result.markerAt = now;
      }
    }
    const live = {
      now,
      frames: readCapture(w.pcapPath),
      markerFound: result.markerLine !== undefined,
      decisions: w.proxy.decisions(),
      proxyKind: w.proxy.kind,
    };
    if (settled(s.expect, live) || w.qemu.exited()) return result;
    if (w.proxy.process.exited()) return { ...result, proxyDied: true };
    if (now >= deadline) return { ...result, timedOut: true };
    await sleep(POLL_MS);
  }
}

function outputLines(process: Supervised): string[] {
  return (process.stdout() + process.stderr()).split("\n").filter(Boolean);
}

function readTextOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
