/**
 * Soak test: the real daemon, started as in production (JSON info log on a redirected stdout),
 * gets a steady 5,000 requests/s over loopback for a long time, half DISCOVERs on the DHCP port
 * and half 4011 REQUESTs on the PXE port, from 50,000 distinct MACs. Every reply is checked
 * (xid, chaddr, message type, yiaddr) and every 10 s one line says how the daemon is doing: RSS,
 * CPU, replies, loss, wrong replies, errors. A final summary gives RSS growth and loss.
 *
 *     deno task soak [--seconds 600] [--rate 5000] [--macs 50000] [--log FILE]
 *
 * Each MAC sends once per `macs / rate` seconds (10 s by default), far below the per-MAC rate
 * limit (10/s, burst 20), so the limiter is exercised (50,000 buckets) but never drops: what is
 * measured is the daemon. `runSoak` is also what tests/soak/soak_test.ts runs for 18 s in CI.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { daemonPermissionFlags } from "./permissions.ts";
import { loopbackIni } from "./demo/loopback_ini.ts";
import type { Ports } from "../src/config/model.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const FIXTURES = new URL("../tests/fixtures/public/", import.meta.url);
/** A BIOS ROM DISCOVER (to the DHCP port) and an EDK2 REQUEST (to the PXE port). */
export const TEMPLATES = {
  dhcp: "asrock_bios_pxe-arch0-discover-67.bin",
  pxe: "asrock_uefi_x64-arch7-request-4011.bin",
} as const;

const OFFER = 2;
const ACK = 5;
/** Locally administered MAC prefix 02:53 ("S"oak); the other 4 bytes are the MAC's index. */
const MAC_PREFIX = [0x02, 0x53];

export interface SoakOptions {
  readonly seconds: number;
  /** Requests per second, both ports together. */
  readonly rate: number;
  readonly macs: number;
  /** Seconds between progress lines. */
  readonly reportEvery: number;
  /** A request with no reply after this long counts as lost. */
  readonly timeoutMs: number;
  /** Where the daemon's stdout goes (its JSON log); a temp file if absent. */
  readonly logPath?: string;
  readonly ports?: Ports;
  /** Receives each progress line (default: console.log). */
  readonly print?: (line: string) => void;
}

export const DEFAULTS: SoakOptions = {
  seconds: 600,
  rate: 5000,
  macs: 50_000,
  reportEvery: 10,
  timeoutMs: 2000,
};

export interface Interval {
  /** Seconds since the load started. */
  readonly t: number;
  readonly rssKb: number;
  /** Daemon CPU over the interval, % of one core. */
  readonly cpuPercent: number;
  readonly sent: number;
  readonly replies: number;
  /** Requests that got no reply within `timeoutMs`, in this interval. */
  readonly lost: number;
  readonly late: number;
  readonly wrong: number;
  readonly sendErrors: number;
  readonly logWarnings: number;
  readonly logErrors: number;
  readonly maxLatencyMs: number;
  /** Worst delay of a send behind its schedule. */
  readonly maxSendLagMs: number;
  readonly load1: number;
}

export interface SoakSummary {
  readonly seconds: number;
  readonly sent: { readonly dhcp: number; readonly pxe: number };
  /** Valid replies (on time or late). */
  readonly replies: number;
  readonly late: number;
  readonly lost: number;
  readonly lossPercent: number;
  readonly wrong: number;
  /** What was wrong, e.g. `chaddr`, `type`, `unknown-xid`, `duplicate`. */
  readonly wrongBy: Record<string, number>;
  readonly sendErrors: number;
  readonly rss: {
    readonly startKb: number;
    readonly afterFirstIntervalKb: number;
    readonly endKb: number;
    readonly maxKb: number;
    /** End minus the first interval (warm-up excluded). */
    readonly growthKb: number;
    /** Least-squares slope of RSS after the first minute (or after warm-up if shorter). */
    readonly slopeKbPerMin: number;
  };
  readonly daemon: {
    readonly aliveAtEnd: boolean;
    readonly exitCode: number | null;
    /** The daemon's own counters from its "Stopped" line. */
    readonly received?: number;
    readonly replied?: number;
    readonly logLines: number;
    readonly logReplies: number;
    readonly warnings: number;
    readonly errors: number;
    /** The first few warning/error lines and stderr, verbatim. */
    readonly problems: string[];
    readonly logPath: string;
  };
  readonly load: { readonly start: string; readonly end: string };
  readonly intervals: Interval[];
}

/** Byte offsets a template's copies are personalised at. */
interface Template {
  readonly bytes: Uint8Array;
  /** Offset of the MAC inside option 61 (type 1 + MAC), if the template has one. */
  readonly clientIdMac?: number;
}

function loadTemplate(name: string): Template {
  const bytes = Deno.readFileSync(new URL(name, FIXTURES));
  let clientIdMac: number | undefined;
  for (let at = 240; at < bytes.length && bytes[at] !== 255;) {
    if (bytes[at] === 0) {
      at++;
      continue;
    }
    const code = bytes[at];
    const length = bytes[at + 1];
    if (code === 61 && length === 7 && bytes[at + 2] === 1) clientIdMac = at + 3;
    at += 2 + length;
  }
  return { bytes, clientIdMac };
}

function writeMac(target: Uint8Array, at: number, index: number): void {
  target[at] = MAC_PREFIX[0];
  target[at + 1] = MAC_PREFIX[1];
  target[at + 2] = (index >>> 24) & 0xff;
  target[at + 3] = (index >>> 16) & 0xff;
  target[at + 4] = (index >>> 8) & 0xff;
  target[at + 5] = index & 0xff;
}

/** A copy of `template` as sent by MAC number `macIndex` with transaction `xid`. */
export function personalise(template: Template, macIndex: number, xid: number): Uint8Array {
  const bytes = template.bytes.slice();
  new DataView(bytes.buffer).setUint32(4, xid);
  writeMac(bytes, 28, macIndex);
  if (template.clientIdMac !== undefined) writeMac(bytes, template.clientIdMac, macIndex);
  return bytes;
}

/** Option 53 of a reply, or undefined. */
function messageType(bytes: Uint8Array): number | undefined {
  for (let at = 240; at + 1 < bytes.length && bytes[at] !== 255;) {
    if (bytes[at] === 0) {
      at++;
      continue;
    }
    if (bytes[at] === 53 && bytes[at + 1] === 1) return bytes[at + 2];
    at += 2 + bytes[at + 1];
  }
  return undefined;
}

interface Pending {
  readonly sentAt: number;
  readonly macIndex: number;
  readonly port: "dhcp" | "pxe";
}

/** Counters of one interval; folded into totals at each report. */
class Tally {
  sent = 0;
  replies = 0;
  lost = 0;
  late = 0;
  wrong = 0;
  sendErrors = 0;
  maxLatencyMs = 0;
  maxSendLagMs = 0;
}

/** Reads the daemon's log file as it grows: line, reply, warning and error counts. */
class LogWatcher {
  lines = 0;
  replies = 0;
  warnings = 0;
  errors = 0;
  readonly problems: string[] = [];
  stopped?: { received: number; replied: number };
  #offset = 0;
  #rest = "";
  readonly #decoder = new TextDecoder();

  constructor(readonly path: string) {}

  /**
   * Reads what the daemon wrote since the last call, at most `maxBytes`: called every 250 ms so
   * that no single scan stalls the generator (a 15 MB scan every 10 s did, for ~50 ms).
   */
  scan(maxBytes = Infinity): void {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.path, { read: true });
    } catch {
      return;
    }
    try {
      file.seekSync(this.#offset, Deno.SeekMode.Start);
      const chunk = new Uint8Array(256 << 10);
      for (let read = 0; read < maxBytes;) {
        const n = file.readSync(chunk);
        if (n === null || n === 0) break;
        read += n;
        this.#offset += n;
        this.#consume(this.#decoder.decode(chunk.subarray(0, n), { stream: true }));
      }
    } finally {
      file.close();
    }
  }

  #consume(text: string): void {
    const parts = (this.#rest + text).split("\n");
    this.#rest = parts.pop()!;
    for (const line of parts) {
      this.lines++;
      if (line.includes('"action":"offer"') || line.includes('"action":"ack"')) {
        this.replies++;
        continue;
      }
      if (line.includes('"level":"warning"')) this.#problem("warning", line);
      else if (line.includes('"level":"error"') || line.includes('"level":"fatal"')) {
        this.#problem("error", line);
      } else if (line.includes('"msg":"Stopped')) {
        const record = JSON.parse(line);
        this.stopped = { received: record.received, replied: record.replied };
      } else if (!line.startsWith("{")) this.#problem("error", line);
    }
  }

  #problem(kind: "warning" | "error", line: string): void {
    if (kind === "warning") this.warnings++;
    else this.errors++;
    if (this.problems.length < 10) this.problems.push(line);
  }
}

function configText(ports: Ports): string {
  return loopbackIni(ports);
}

function randomPorts(): Ports {
  const base = 40000 + Math.floor(Math.random() * 2000) * 10;
  return { dhcp: base + 7, pxe: base + 8, client: base + 9 };
}

function readRssKb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** utime + stime of `pid` in seconds (clock ticks are 100 Hz on Linux). */
function readCpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

/** Starts the daemon with stdout/stderr redirected to files by the shell, as under a supervisor. */
function startDaemon(configPath: string, ports: Ports, logPath: string, errPath: string) {
  const command = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'exec "$@" >"$SOAK_LOG" 2>"$SOAK_ERR"',
      "sh",
      Deno.execPath(),
      "run",
      ...daemonPermissionFlags({ configPath, ports }),
      MAIN,
      "-c",
      configPath,
    ],
    env: { SOAK_LOG: logPath, SOAK_ERR: errPath },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  });
  return command.spawn();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function slopePerMinute(points: { t: number; v: number }[]): number {
  const usable = points.filter((p) => Number.isFinite(p.v));
  if (usable.length < 2) return 0;
  const n = usable.length;
  const mt = usable.reduce((s, p) => s + p.t, 0) / n;
  const mv = usable.reduce((s, p) => s + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of usable) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

export async function runSoak(given: Partial<SoakOptions> = {}): Promise<SoakSummary> {
  const options = { ...DEFAULTS, ...given };
  const print = options.print ?? console.log;
  const ports = options.ports ?? randomPorts();
  const templates = { dhcp: loadTemplate(TEMPLATES.dhcp), pxe: loadTemplate(TEMPLATES.pxe) };
  const configPath = Deno.makeTempFileSync({ prefix: "proxydhcpd-soak-", suffix: ".ini" });
  Deno.writeTextFileSync(configPath, configText(ports));
  const logPath = options.logPath ??
    Deno.makeTempFileSync({ prefix: "proxydhcpd-soak-", suffix: ".log" });
  const errPath = `${logPath}.stderr`;
  const watcher = new LogWatcher(logPath);
  const loadStart = loadAverage();

  const daemon = startDaemon(configPath, ports, logPath, errPath);
  let exited: Deno.CommandStatus | undefined;
  const exitWatch = daemon.status.then((status) => exited = status);

  // OFFERs are broadcast to the client port; ACKs go back to the request's source port.
  const offers = Deno.listenDatagram({ hostname: "0.0.0.0", port: ports.client, transport: "udp" });
  const acks = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const pending = new Map<number, Pending>();
  /** xid → when it timed out; kept a while to tell late replies from wrong ones. */
  const timedOut = new Map<number, number>();
  const answered = new Set<number>();
  let tally = new Tally();
  const totals = { sent: { dhcp: 0, pxe: 0 }, replies: 0, late: 0, lost: 0, sendErrors: 0 };
  const wrongBy: Record<string, number> = {};
  const wrong = (why: string) => {
    wrongBy[why] = (wrongBy[why] ?? 0) + 1;
    tally.wrong++;
  };

  const onReply = (data: Uint8Array, socket: "dhcp" | "pxe") => {
    const now = performance.now();
    if (data.length < 244 || data[0] !== 2) return wrong("not-a-reply");
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const xid = view.getUint32(4);
    const request = pending.get(xid);
    if (request === undefined) {
      if (timedOut.has(xid)) {
        timedOut.delete(xid);
        tally.late++;
        totals.late++;
        totals.replies++;
        return;
      }
      return wrong(answered.has(xid) ? "duplicate" : "unknown-xid");
    }
    pending.delete(xid);
    answered.add(xid);
    if (request.port !== socket) return wrong("socket");
    const mac = new Uint8Array(6);
    writeMac(mac, 0, request.macIndex);
    for (let i = 0; i < 6; i++) if (data[28 + i] !== mac[i]) return wrong("chaddr");
    if (messageType(data) !== (socket === "dhcp" ? OFFER : ACK)) return wrong("type");
    if (view.getUint32(16) !== 0) return wrong("yiaddr");
    tally.replies++;
    totals.replies++;
    tally.maxLatencyMs = Math.max(tally.maxLatencyMs, now - request.sentAt);
  };
  const receive = async (conn: Deno.DatagramConn, socket: "dhcp" | "pxe") => {
    try {
      for await (const [data] of conn) onReply(data, socket);
    } catch { /* closed */ }
  };
  const receiving = [receive(offers, "dhcp"), receive(acks, "pxe")];

  const intervals: Interval[] = [];
  let rssStart = NaN;
  try {
    // Wait for the daemon's start-up line before loading it.
    const ready = Date.now() + 15_000;
    while (!watcher.lines && Date.now() < ready && !exited) {
      await sleep(50);
      watcher.scan();
    }
    if (!watcher.lines) {
      throw new Error(
        `Cannot start the daemon: ${exited ? `exit ${exited.code}` : "no log line"}; ` +
          Deno.readTextFileSync(errPath).trim(),
      );
    }
    const pid = daemon.pid;
    rssStart = readRssKb(pid);
    print(
      `soak: ${options.rate}/s for ${options.seconds}s from ${options.macs} MACs, daemon pid ` +
        `${pid}, ports ${ports.dhcp}/${ports.pxe}/${ports.client}, log ${logPath}, ` +
        `RSS ${rssStart} kB, load ${loadStart}`,
    );

    let xid = Math.floor(Math.random() * 0x7fffffff);
    let sequence = 0;
    const start = performance.now();
    const end = start + options.seconds * 1000;
    let nextReport = start + options.reportEvery * 1000;
    let lastCpu = readCpuSeconds(pid);
    let lastReportAt = start;
    let nextSweep = start + 250;

    while (!exited) {
      const now = performance.now();
      if (now >= end) break;
      // Send everything due by now: one batch per timer tick keeps the average rate exact.
      const due = Math.floor(((now - start) / 1000) * options.rate);
      if (due > sequence) {
        const scheduledAt = start + (sequence / options.rate) * 1000;
        tally.maxSendLagMs = Math.max(tally.maxSendLagMs, now - scheduledAt);
      }
      while (sequence < due) {
        const macIndex = sequence % options.macs;
        // Each MAC alternates ports from one round to the next: DISCOVER, then 4011 REQUEST.
        const port = (sequence + Math.floor(sequence / options.macs)) % 2 === 0 ? "dhcp" : "pxe";
        xid = (xid + 1) >>> 0;
        const bytes = personalise(templates[port], macIndex, xid);
        pending.set(xid, { sentAt: now, macIndex, port });
        const conn = port === "dhcp" ? offers : acks;
        conn.send(bytes, {
          transport: "udp",
          hostname: "127.0.0.1",
          port: port === "dhcp" ? ports.dhcp : ports.pxe,
        }).catch(() => {
          tally.sendErrors++;
          totals.sendErrors++;
        });
        tally.sent++;
        totals.sent[port]++;
        sequence++;
      }
      if (now >= nextSweep) {
        nextSweep = now + 250;
        watcher.scan(1 << 20);
        for (const [id, request] of pending) {
          if (now - request.sentAt < options.timeoutMs) break; // Map keeps send order
          pending.delete(id);
          timedOut.set(id, now);
          tally.lost++;
          totals.lost++;
        }
        for (const [id, at] of timedOut) {
          if (now - at < 60_000) break;
          timedOut.delete(id);
        }
        if (answered.size > 4 * options.rate) answered.clear();
      }
      if (now >= nextReport) {
        const cpu = readCpuSeconds(pid);
        const interval: Interval = {
          t: Math.round((now - start) / 1000),
          rssKb: readRssKb(pid),
          cpuPercent: Math.round(((cpu - lastCpu) / ((now - lastReportAt) / 1000)) * 100),
          sent: tally.sent,
          replies: tally.replies,
          lost: tally.lost,
          late: tally.late,
          wrong: tally.wrong,
          sendErrors: tally.sendErrors,
          logWarnings: watcher.warnings,
          logErrors: watcher.errors,
          maxLatencyMs: Math.round(tally.maxLatencyMs * 10) / 10,
          maxSendLagMs: Math.round(tally.maxSendLagMs * 10) / 10,
          load1: Number(loadAverage().split(" ")[0]),
        };
        intervals.push(interval);
        print(formatInterval(interval));
        tally = new Tally();
        lastCpu = cpu;
        lastReportAt = now;
        nextReport += options.reportEvery * 1000;
      }
      await sleep(1);
    }

    // Drain: give the last requests their full timeout.
    const drainUntil = performance.now() + options.timeoutMs;
    while (pending.size > 0 && performance.now() < drainUntil && !exited) await sleep(20);
    for (const id of pending.keys()) timedOut.set(id, 0);
    totals.lost += pending.size;
    tally.lost += pending.size;
    pending.clear();
    await sleep(100);
  } finally {
    offers.close();
    acks.close();
    await Promise.all(receiving);
  }

  const rssEnd = readRssKb(daemon.pid);
  const aliveAtEnd = exited === undefined;
  if (aliveAtEnd) {
    try {
      daemon.kill("SIGTERM");
    } catch { /* exited meanwhile */ }
  }
  const timer = setTimeout(() => {
    try {
      daemon.kill("SIGKILL");
    } catch { /* gone */ }
  }, 10_000);
  await exitWatch;
  clearTimeout(timer);
  watcher.scan();
  const stderr = Deno.readTextFileSync(errPath).trim();
  const problems = [...watcher.problems];
  if (stderr) problems.push(`stderr: ${stderr.slice(0, 2000)}`);
  Deno.removeSync(configPath);

  const rssSeries = intervals.map((i) => ({ t: i.t, v: i.rssKb }));
  const warm = rssSeries.filter((p) => p.t >= Math.min(60, options.seconds / 2));
  const first = intervals[0]?.rssKb ?? rssStart;
  const sent = totals.sent.dhcp + totals.sent.pxe;
  const rssValues = intervals.map((i) => i.rssKb).filter(Number.isFinite);
  const wrongTotal = Object.values(wrongBy).reduce((a, b) => a + b, 0);
  return {
    seconds: options.seconds,
    sent: totals.sent,
    replies: totals.replies,
    late: totals.late,
    lost: totals.lost - totals.late,
    lossPercent: sent === 0 ? 0 : Math.round(((totals.lost - totals.late) / sent) * 1e6) / 1e4,
    wrong: wrongTotal,
    wrongBy,
    sendErrors: totals.sendErrors,
    rss: {
      startKb: rssStart,
      afterFirstIntervalKb: first,
      endKb: rssEnd,
      maxKb: Math.max(rssStart, rssEnd, ...rssValues),
      growthKb: rssEnd - first,
      slopeKbPerMin: Math.round(slopePerMinute(warm.length >= 2 ? warm : rssSeries) * 10) / 10,
    },
    daemon: {
      aliveAtEnd,
      exitCode: exited?.code ?? null,
      received: watcher.stopped?.received,
      replied: watcher.stopped?.replied,
      logLines: watcher.lines,
      logReplies: watcher.replies,
      warnings: watcher.warnings,
      errors: watcher.errors + (stderr ? 1 : 0),
      problems,
      logPath,
    },
    load: { start: loadStart, end: loadAverage() },
    intervals,
  };
}

function formatInterval(i: Interval): string {
  return [
    `t=${String(i.t).padStart(4)}s`,
    `rss=${i.rssKb}kB`,
    `cpu=${i.cpuPercent}%`,
    `sent=${i.sent}`,
    `replies=${i.replies}`,
    `lost=${i.lost}`,
    `late=${i.late}`,
    `wrong=${i.wrong}`,
    `send_errors=${i.sendErrors}`,
    `log_warn=${i.logWarnings}`,
    `log_err=${i.logErrors}`,
    `max_latency=${i.maxLatencyMs}ms`,
    `max_send_lag=${i.maxSendLagMs}ms`,
    `load1=${i.load1}`,
  ].join(" ");
}

function lossSplit(s: SoakSummary): string {
  const { received, replied } = s.daemon;
  if (received === undefined || replied === undefined) return "unknown (no Stopped line)";
  const sent = s.sent.dhcp + s.sent.pxe;
  return `${sent - received} never read by the daemon, ${received - replied} read but not ` +
    `answered, ${replied - s.replies} answered but not received back`;
}

export function formatSummary(s: SoakSummary): string {
  const sent = s.sent.dhcp + s.sent.pxe;
  return [
    `summary: ${s.seconds}s, sent ${sent} (${s.sent.dhcp} DISCOVER on dhcp, ${s.sent.pxe} ` +
    `REQUEST on pxe), replies ${s.replies} (late ${s.late}), lost ${s.lost} (${s.lossPercent}%), ` +
    `wrong ${s.wrong} ${JSON.stringify(s.wrongBy)}, send errors ${s.sendErrors}`,
    `RSS: start ${s.rss.startKb} kB, after ${s.intervals[0]?.t ?? 0}s ` +
    `${s.rss.afterFirstIntervalKb} kB, end ${s.rss.endKb} kB, max ${s.rss.maxKb} kB, growth ` +
    `${s.rss.growthKb} kB since the first report, slope ${s.rss.slopeKbPerMin} kB/min`,
    // Where the loss happened: before the daemon read the request (its socket buffer) or after it
    // replied (the generator's socket buffer).
    `loss split: ${lossSplit(s)}`,
    `daemon: alive at end ${s.daemon.aliveAtEnd}, exit ${s.daemon.exitCode}, its counters ` +
    `received ${s.daemon.received} replied ${s.daemon.replied}; log ${s.daemon.logLines} lines ` +
    `(${s.daemon.logReplies} replies), ${s.daemon.warnings} warnings, ${s.daemon.errors} errors`,
    ...s.daemon.problems.map((p) => `  problem: ${p}`),
    `load average: start ${s.load.start}, end ${s.load.end}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string" },
      rate: { type: "string" },
      macs: { type: "string" },
      log: { type: "string" },
      json: { type: "string" },
    },
    strict: true,
  });
  const number = (text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      console.error(`soak: Cannot use ${text}: expected a positive number`);
      Deno.exit(2);
    }
    return value;
  };
  const summary = await runSoak({
    seconds: number(values.seconds, DEFAULTS.seconds),
    rate: number(values.rate, DEFAULTS.rate),
    macs: number(values.macs, DEFAULTS.macs),
    logPath: values.log,
  });
  console.log(formatSummary(summary));
  if (values.json) Deno.writeTextFileSync(values.json, JSON.stringify(summary, null, 2) + "\n");
  const ok = summary.wrong === 0 && summary.daemon.aliveAtEnd && summary.daemon.exitCode === 0 &&
    summary.daemon.errors === 0 && summary.daemon.warnings === 0;
  Deno.exit(ok ? 0 : 1);
}
