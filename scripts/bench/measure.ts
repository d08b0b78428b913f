/**
 * The measurement sequence for one responder: start-up, idle memory, then per port saturation
 * (closed loop), latency at a fixed rate, loss at half of its own saturation, and (67 only) a
 * boot-storm burst of DISCOVERs from distinct MACs.
 */
import { type LoadgenResult, probeStartup, runLoadgen, type Target } from "./loadgen.ts";
import type { Namespace } from "./netns.ts";
import { cpuShareDuring, memoryMiB } from "./procfs.ts";
import { type Running, startResponder } from "./process.ts";
import { dhcpTarget, type Ports, pxeTarget, type Responder } from "./responders.ts";

export interface BenchSettings {
  /** Seconds of each timed phase (saturation, latency, loss). */
  readonly duration: number;
  /** Requests in flight for the saturation run. */
  readonly inflight: number;
  /** Rate of the latency run (requests/s). */
  readonly latencyRate: number;
  /** Fraction of the responder's own saturation used for the loss run. */
  readonly lossLoad: number;
  readonly burstCount: number;
  /** Seconds after the burst starts during which replies count. */
  readonly burstWindow: number;
  /** Seconds to wait for stragglers after an open-loop run. */
  readonly drainWindow: number;
  /** Seconds of quiet after the first reply before idle RSS is read. */
  readonly idleSeconds: number;
  readonly startupTimeout: number;
  readonly serverCpu?: number;
  readonly loadgenCpu?: number;
  readonly ports: Ports;
  readonly keepLogs: boolean;
  /** Where scratch directories (configs, logs) go. */
  readonly workDir: string;
}

export interface PortFigures {
  readonly repliesPerSecond: number;
  readonly cpuPercent: number;
  /** Saturation replies per CPU-second of the responder: its one-core capacity, less noisy. */
  readonly repliesPerCpuSecond: number;
  /** Other load on the responder's core during saturation, % (noise indicator). */
  readonly otherLoadPercent?: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly latencyLossPct: number;
  readonly lossRate: number;
  readonly lossPct: number;
  readonly burst?: { sent: number; valid: number; lossPct: number; lastValidMs: number };
  /** Wrong replies seen in any run on this port (must be 0). */
  readonly wrong: number;
  readonly raw: Record<string, LoadgenResult>;
}

export interface ResponderFigures {
  readonly id: string;
  readonly label: string;
  readonly startupMs: number;
  readonly idleRssMiB: number;
  readonly peakRssMiB: number;
  /** Bytes the responder wrote to its logs during the run (shows logging was on). */
  readonly logBytes: number;
  readonly pxe: PortFigures;
  readonly dhcp: PortFigures;
}

type Progress = (message: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measurePort(
  ns: Namespace,
  running: Running,
  target: Target,
  settings: BenchSettings,
  withBurst: boolean,
  progress: Progress,
): Promise<PortFigures> {
  const cpu = settings.loadgenCpu;
  const raw: Record<string, LoadgenResult> = {};
  const saturation = await cpuShareDuring(
    running.pid,
    settings.serverCpu,
    () =>
      runLoadgen(ns, cpu, target, {
        mode: "closed",
        duration: settings.duration,
        inflight: settings.inflight,
      }),
  );
  raw.saturation = saturation.result;
  progress(
    `saturation ${saturation.result.replies_per_s.toFixed(0)}/s, ` +
      `cpu ${saturation.cpuPercent.toFixed(0)}%, ` +
      `others on its core ${saturation.otherPercent?.toFixed(0) ?? "?"}%`,
  );
  await sleep(200);
  raw.latency = await runLoadgen(ns, cpu, target, {
    mode: "open",
    duration: settings.duration,
    rate: settings.latencyRate,
    window: settings.drainWindow,
  });
  progress(`p99 at ${settings.latencyRate}/s: ${raw.latency.p99_us.toFixed(0)} µs`);
  await sleep(200);
  const lossRate = Math.max(1, Math.round(saturation.result.replies_per_s * settings.lossLoad));
  raw.loss = await runLoadgen(ns, cpu, target, {
    mode: "open",
    duration: settings.duration,
    rate: lossRate,
    window: settings.drainWindow,
  });
  progress(`loss at ${lossRate}/s: ${raw.loss.loss_pct.toFixed(3)} %`);
  let burst: PortFigures["burst"];
  if (withBurst) {
    await sleep(200);
    raw.burst = await runLoadgen(ns, cpu, target, {
      mode: "burst",
      count: settings.burstCount,
      window: settings.burstWindow,
    });
    burst = {
      sent: raw.burst.sent,
      valid: raw.burst.valid,
      lossPct: raw.burst.loss_pct,
      lastValidMs: raw.burst.last_valid_ms,
    };
    progress(`burst of ${settings.burstCount}: ${raw.burst.valid} answered`);
  }
  return {
    repliesPerSecond: saturation.result.replies_per_s,
    cpuPercent: saturation.cpuPercent,
    repliesPerCpuSecond: saturation.cpuPercent > 0
      ? saturation.result.replies_per_s / (saturation.cpuPercent / 100)
      : NaN,
    otherLoadPercent: saturation.otherPercent,
    p50Us: raw.latency.p50_us,
    p99Us: raw.latency.p99_us,
    p999Us: raw.latency.p999_us,
    latencyLossPct: raw.latency.loss_pct,
    lossRate,
    lossPct: raw.loss.loss_pct,
    burst,
    wrong: Object.values(raw).reduce((sum, r) => sum + r.wrong, 0),
    raw,
  };
}

function sizeOf(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

function tail(path: string): string {
  try {
    return Deno.readTextFileSync(path).trim().split("\n").slice(-5).join("\n");
  } catch {
    return "";
  }
}

export async function measureResponder(
  ns: Namespace,
  responder: Responder,
  settings: BenchSettings,
  log: Progress,
): Promise<ResponderFigures> {
  const scratch = `${settings.workDir}/${responder.id}`;
  Deno.mkdirSync(scratch, { recursive: true });
  const argv = responder.command(scratch, settings.ports);
  let running: Running | undefined;
  try {
    const startup = await probeStartup(
      ns,
      settings.loadgenCpu,
      pxeTarget(responder, settings.ports),
      settings.startupTimeout,
      () => {
        running = startResponder(
          ns,
          settings.serverCpu,
          argv,
          `${scratch}/stdout.log`,
          `${scratch}/stderr.log`,
        );
      },
    );
    if (!running) throw new Error(`Cannot start ${responder.label}`);
    if (!(startup.startupMs >= 0)) {
      throw new Error(
        `Cannot get a valid reply from ${responder.label} within ${settings.startupTimeout} s` +
          ` (wrong replies: ${startup.result.wrong}):\n${tail(running.stderrPath)}`,
      );
    }
    log(`${responder.label}: first valid reply ${startup.startupMs.toFixed(1)} ms after spawn`);
    await sleep(settings.idleSeconds * 1000);
    const idleRssMiB = memoryMiB(running.pid).rss;
    const pid = running;
    const pxe = await measurePort(
      ns,
      pid,
      pxeTarget(responder, settings.ports),
      settings,
      false,
      (m) => log(`${responder.label} udp/${settings.ports.pxe}: ${m}`),
    );
    await sleep(200);
    const dhcp = await measurePort(
      ns,
      pid,
      dhcpTarget(responder, settings.ports),
      settings,
      true,
      (m) => log(`${responder.label} udp/${settings.ports.dhcp}: ${m}`),
    );
    const peakRssMiB = memoryMiB(running.pid).peak;
    const logBytes = [...Deno.readDirSync(scratch)]
      .filter((e) => e.name.endsWith(".log"))
      .reduce((sum, e) => sum + sizeOf(`${scratch}/${e.name}`), 0);
    return {
      id: responder.id,
      label: responder.label,
      startupMs: startup.startupMs,
      idleRssMiB,
      peakRssMiB,
      logBytes,
      pxe,
      dhcp,
    };
  } finally {
    await running?.stop();
    if (!settings.keepLogs) Deno.removeSync(scratch, { recursive: true });
  }
}
