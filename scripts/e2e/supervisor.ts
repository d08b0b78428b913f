/**
 * Starts the suite's processes (servers, tcpdump, QEMU), each inside a network namespace, keeps
 * their output in files, and stops them by PID. `ip netns exec` execs the command, so the PID we
 * hold is the real program's. A SIGINT/SIGTERM handler runs every registered cleanup
 * synchronously before exiting, so an interrupted run leaves no process or namespace behind.
 */
import { waitFor } from "./command.ts";

export interface Supervised {
  readonly name: string;
  readonly pid: number;
  /** Files receiving the process's stdout and stderr. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Resolves when the process has exited and its output is flushed. */
  readonly done: Promise<Deno.CommandStatus>;
  exited(): boolean;
  stdout(): string;
  stderr(): string;
}

export interface SpawnOptions {
  /** Network namespace to run in (via `ip netns exec`). */
  netns: string;
  cwd?: string;
  env?: Record<string, string>;
}

export class Supervisor {
  readonly #children: { child: Deno.ChildProcess; handle: Supervised; exited: boolean }[] = [];
  readonly #unregister: () => void;

  constructor(readonly workDir: string) {
    this.#unregister = onEmergency(() => this.killAllSync());
  }

  spawn(name: string, argv: string[], options: SpawnOptions): Supervised {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", options.netns, ...argv],
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdoutPath = `${this.workDir}/${name}.stdout`;
    const stderrPath = `${this.workDir}/${name}.stderr`;
    const pumps = [pump(child.stdout, stdoutPath), pump(child.stderr, stderrPath)];
    const entry = { child, exited: false, handle: undefined as unknown as Supervised };
    const done = child.status.then(async (status) => {
      entry.exited = true;
      await Promise.allSettled(pumps);
      return status;
    });
    entry.handle = {
      name,
      pid: child.pid,
      stdoutPath,
      stderrPath,
      done,
      exited: () => entry.exited,
      stdout: () => readText(stdoutPath),
      stderr: () => readText(stderrPath),
    };
    this.#children.push(entry);
    return entry.handle;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit. */
  async stop(handle: Supervised, graceMs = 2000): Promise<void> {
    const entry = this.#children.find((c) => c.handle === handle);
    if (!entry) return;
    if (!entry.exited) {
      signal(entry.child, "SIGTERM");
      const gone = await waitFor(() => entry.exited || undefined, graceMs, 50);
      if (!gone && !entry.exited) signal(entry.child, "SIGKILL");
    }
    await handle.done;
  }

  /** Stops every process, newest first. */
  async stopAll(): Promise<void> {
    for (const entry of [...this.#children].reverse()) await this.stop(entry.handle);
  }

  killAllSync(): void {
    for (const entry of this.#children) {
      if (!entry.exited) signal(entry.child, "SIGKILL");
    }
  }

  dispose(): void {
    this.#unregister();
  }
}

function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch {
    // Already gone between the check and the kill.
  }
}

/**
 * Copies a child's output to a file chunk by chunk. (`pipeTo(file.writable)` was seen to hold
 * the data back until the stream ended, which hides readiness lines.)
 */
async function pump(stream: ReadableStream<Uint8Array>, path: string): Promise<void> {
  using file = Deno.openSync(path, { create: true, write: true, truncate: true });
  for await (const chunk of stream) {
    let written = 0;
    while (written < chunk.length) written += file.writeSync(chunk.subarray(written));
  }
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

// ---- emergency cleanup on SIGINT/SIGTERM ----

const emergencyCleanups = new Set<() => void>();
let signalsInstalled = false;

/** Registers a synchronous cleanup to run if the process is interrupted; returns a remover. */
export function onEmergency(cleanup: () => void): () => void {
  installSignalHandlers();
  emergencyCleanups.add(cleanup);
  return () => emergencyCleanups.delete(cleanup);
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    Deno.addSignalListener(sig, () => {
      console.error(`\ne2e: ${sig} received, cleaning up`);
      // Newest first: processes before the namespaces they run in.
      for (const cleanup of [...emergencyCleanups].reverse()) {
        try {
          cleanup();
        } catch (error) {
          console.error(`e2e: cleanup failed: ${error}`);
        }
      }
      Deno.exit(code);
    });
  }
}
