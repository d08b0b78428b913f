/**
 * Logging: one line per decision, human text on a terminal and JSON lines otherwise (the journal
 * stores stdout). Lines are buffered and written once per event-loop turn, so a burst of replies
 * costs one write, and nothing is lost: `flushLogs()` runs on exit.
 */
import { configureSync, getLogger, type LogRecord, resetSync, type Sink } from "@logtape/logtape";
import type { LogFormat, LogLevel } from "./config/model.ts";

export const log = getLogger(["proxydhcpd"]);

const encoder = new TextEncoder();

/** Collects lines and writes them with one syscall per event-loop turn. */
class BufferedWriter {
  #lines: string[] = [];
  #scheduled = false;
  constructor(readonly fd: { writeSync(p: Uint8Array): number }) {}

  write(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length >= 512) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.flush(), 0);
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#lines.length === 0) return;
    const bytes = encoder.encode(this.#lines.join(""));
    this.#lines = [];
    let written = 0;
    while (written < bytes.length) written += this.fd.writeSync(bytes.subarray(written));
  }
}

let writer: BufferedWriter | undefined;
let decisionJson = true;
let decisionLevels = { debug: false, info: true };

/** Renders `{name}` placeholders with plain `String()` values (logtape would quote strings). */
function render(record: LogRecord): string {
  let message = "";
  for (let i = 0; i < record.message.length; i++) message += String(record.message[i]);
  return message;
}

function textFormatter(record: LogRecord): string {
  const time = new Date(record.timestamp).toISOString().slice(11, 23);
  return `${time} ${record.level.toUpperCase().padEnd(7)} ${render(record)}\n`;
}

/** One JSON object per line: time, level, logger, msg, then the record's properties. */
function jsonFormatter(record: LogRecord): string {
  return JSON.stringify({
    time: new Date(record.timestamp).toISOString(),
    level: record.level,
    logger: record.category.join("."),
    msg: render(record),
    ...record.properties,
  }) + "\n";
}

export interface LogSetup {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** Defaults to stdout. */
  readonly output?: { writeSync(p: Uint8Array): number; isTerminal?(): boolean };
}

export function setupLogging({ format, level, output = Deno.stdout }: LogSetup): void {
  writer?.flush();
  writer = new BufferedWriter(output);
  const useJson = format === "json" || (format === "auto" && !(output.isTerminal?.() ?? false));
  const formatter = useJson ? jsonFormatter : textFormatter;
  decisionJson = useJson;
  decisionLevels = { debug: level === "debug", info: level === "debug" || level === "info" };
  const out = writer;
  const sink: Sink = (record) => out.write(formatter(record));
  resetSync();
  configureSync({
    sinks: { out: sink },
    loggers: [
      { category: ["proxydhcpd"], lowestLevel: level, sinks: ["out"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}

export function flushLogs(): void {
  writer?.flush();
}

/** One routing decision, as logged for every request the router saw. */
export interface DecisionLine {
  readonly type: string;
  readonly mac: string;
  readonly xid: string;
  readonly port: number;
  readonly arch: string;
  readonly stage: string;
  readonly action: "offer" | "ack" | "drop";
  readonly file?: string;
  readonly recipe?: string;
  readonly to?: string;
  readonly iface?: string;
  readonly server?: string;
  readonly reason?: string;
  readonly why?: string;
}

/** Whether decision lines at `level` are written (so callers can skip building them). */
export function decisionEnabled(level: "debug" | "info"): boolean {
  return decisionLevels[level];
}

/**
 * Writes a decision line straight into the buffered sink, in the same shape the `proxydhcpd.
 * decision` logger would produce. This is the hot path: going through logtape's template and
 * property machinery cost about 8 µs per line, a fifth of the daemon's CPU at saturation
 * (docs/performance.md); this costs about 1 µs.
 */
export function logDecision(level: "debug" | "info", d: DecisionLine): void {
  if (!decisionLevels[level] || writer === undefined) return;
  const outcome = d.action === "drop"
    ? `drop: ${d.why}`
    : `${d.action} ${d.file} (${d.recipe}) to ${d.to}`;
  const message = `${d.type} ${d.mac} on ${d.port}: ${d.arch} ${d.stage} -> ${outcome}`;
  const now = new Date();
  if (!decisionJson) {
    writer.write(
      `${now.toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(7)} ${message}\n`,
    );
    return;
  }
  let line = `{"time":"${now.toISOString()}","level":"${level}","logger":"proxydhcpd.decision",` +
    `"msg":${JSON.stringify(message)}`;
  for (const key in d) {
    const value = d[key as keyof DecisionLine];
    if (value === undefined) continue;
    line += `,"${key}":${typeof value === "number" ? value : JSON.stringify(value)}`;
  }
  writer.write(line + "}\n");
}
