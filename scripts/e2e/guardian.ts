/**
 * A watchdog that outlives the suite: when the suite's process is gone, however it ended, it
 * kills every process in that process's namespaces (by PID, from `ip netns pids`) and deletes
 * the namespaces. Needed because `deno test` handles SIGINT itself and exits without running the
 * suite's signal listeners (measured with Deno 2.9.6), and because SIGKILL runs no handler.
 * It ignores SIGINT/SIGTERM/SIGHUP and runs in its own session, so Ctrl-C reaches only the suite.
 * After a normal end it finds nothing to clean and exits within half a second. A zombie owner
 * counts as gone: PID 1 in some containers never reaps.
 */

let started = false;

const SCRIPT = `
trap '' INT TERM HUP
owner="$1"; prefix="$2"
alive() { s=$(sed 's/.*) //' "/proc/$owner/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$s" ] && [ "$s" != Z ]; }
while alive; do sleep 0.5; done
for ns in $(ip netns list | cut -d' ' -f1 | grep "^$prefix"); do
  for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
done
`;

/** Starts the guardian for namespaces named `<prefix>…` of this process, once per process. */
export function ensureGuardian(prefix: string): void {
  if (started) return;
  started = true;
  const child = new Deno.Command("setsid", {
    args: ["bash", "-c", SCRIPT, "e2e-guardian", String(Deno.pid), prefix],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref(); // Never keep the suite alive for it.
}
