/**
 * Starts the real daemon (`deno run` with the documented minimal flags) on a config file, and
 * collects its log lines. Used by the loopback integration and CLI tests.
 */
import { fileURLToPath } from "node:url";
import { daemonPermissionFlags } from "../../scripts/permissions.ts";
import type { Ports } from "../../src/config/model.ts";

export const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** Distinct high ports per test, so test files can run in parallel. */
export function randomPorts(): Ports {
  const base = 20000 + Math.floor(Math.random() * 4000) * 10;
  return { dhcp: base, pxe: base + 1, client: base + 2 };
}

export function writeConfig(text: string): string {
  const path = Deno.makeTempFileSync({ prefix: "proxydhcpd-test-", suffix: ".ini" });
  Deno.writeTextFileSync(path, text);
  return path;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for -h, -V and errors). */
export async function runCli(args: string[], configPath = "/nonexistent.ini"): Promise<RunResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...daemonPermissionFlags({ configPath }), MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

export class Daemon {
  readonly lines: string[] = [];
  stderr = "";
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;

  constructor(configPath: string, ports: Ports, extraArgs: string[] = []) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...daemonPermissionFlags({ configPath, ports }),
        MAIN,
        "-c",
        configPath,
        ...extraArgs,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([
      this.#collect(this.#child.stdout, (line) => this.lines.push(line)),
      this.#collect(this.#child.stderr, (line) => this.stderr += line + "\n"),
    ]).then(() => {});
  }

  async #collect(stream: ReadableStream<Uint8Array>, sink: (line: string) => void) {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      parts.forEach(sink);
    }
    if (rest) sink(rest);
  }

  /** JSON log records (stdout is a pipe, so the daemon writes JSON lines). */
  records(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
  }

  async waitFor(predicate: (record: Record<string, unknown>) => boolean, ms = 15_000) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = this.records().find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `Timed out waiting for a log record; log so far:\n${this.lines.join("\n")}\n${this.stderr}`,
    );
  }

  signal(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* exited */ }
    const status = await this.#child.status;
    await this.#done;
    return status;
  }

  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }
}
