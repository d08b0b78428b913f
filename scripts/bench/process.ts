/** Starting a responder inside the namespace with its output in files, and stopping it by PID. */
import type { Namespace } from "./netns.ts";

export interface Running {
  readonly pid: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Resolves with the exit status once the process is gone. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const REPO = new URL("../../", import.meta.url).pathname;

/** Responders still running, so an interrupted bench can stop them by PID. */
export const activeResponders = new Set<Running>();

/**
 * Spawns `argv` in `ns` pinned to `cpu`, stdout and stderr redirected to files like a daemon
 * under a supervisor. `ip netns exec`, `sh` and `taskset` all exec, so the PID we get is the
 * responder's own (what /proc is read for).
 */
export function startResponder(
  ns: Namespace,
  cpu: number | undefined,
  argv: string[],
  stdoutPath: string,
  stderrPath: string,
): Running {
  const [cmd, ...pre] = ns.exec();
  const pin = cpu === undefined ? [] : ["taskset", "-c", String(cpu)];
  const child = new Deno.Command(cmd, {
    args: [
      ...pre,
      "sh",
      "-c",
      'out=$1; err=$2; shift 2; exec "$@" >"$out" 2>"$err"',
      "sh",
      stdoutPath,
      stderrPath,
      ...pin,
      ...argv,
    ],
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const exited = child.status;
  let gone = false;
  const running: Running = {
    pid: child.pid,
    stdoutPath,
    stderrPath,
    exited,
    async stop(graceMs = 2000) {
      if (gone) return;
      try {
        child.kill("SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        if (!gone) child.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  activeResponders.add(running);
  exited.then(() => {
    gone = true;
    activeResponders.delete(running);
  });
  return running;
}
