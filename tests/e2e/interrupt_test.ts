/**
 * An interrupted run must leave nothing behind. SIGTERM runs the runner's own cleanup
 * (scripts/e2e/supervisor.ts); SIGKILL runs nothing, so the guardian (scripts/e2e/guardian.ts)
 * must kill the run's processes by PID and delete its namespaces.
 */
import assert from "node:assert/strict";
import { waitFor } from "../../scripts/e2e/command.ts";
import { skipReason } from "../../scripts/e2e/prerequisites.ts";
import { listNamespaces, NETNS_PREFIX } from "../../scripts/e2e/topology.ts";

const RUNNER = new URL("../../scripts/e2e/run.ts", import.meta.url).pathname;

for (
  const [signal, expectedCode, cleaner] of [
    ["SIGTERM", 143, "its signal handler"],
    ["SIGKILL", 137, "the guardian"],
  ] as const
) {
  Deno.test({
    name: `e2e harness: ${signal} during a boot → ${cleaner} kills every process and namespace`,
    ignore: skipReason() !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => interruptDuringBoot(signal, expectedCode),
  });
}

async function interruptDuringBoot(signal: Deno.Signal, expectedCode: number): Promise<void> {
  // The killed runner cannot remove its work dir; give it a temp dir of ours to delete after.
  const tmp = await Deno.makeTempDir({ prefix: "pxe-e2e-interrupt-" });
  // dnsmasq as the proxy: this tests the harness, not proxydhcpd.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RUNNER, "--proxy", "dnsmasq", "bios-ipxe-rom"],
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const reader = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) output += chunk;
  })();
  const errors = new Response(child.stderr).text();
  try {
    const started = await waitFor(
      () => /qemu-system-\S+ started/.test(output) || undefined,
      60_000,
    );
    if (!started) assert.fail(`the runner never started QEMU:\n${output}\n${await errors}`);
    const prefix = `${NETNS_PREFIX}${child.pid}-`;
    const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
    assert.equal(namespaces.length, 4, `expected 4 namespaces, saw ${namespaces}`);
    const pids = await pidsIn(namespaces);
    assert.ok(pids.length >= 5, `expected servers, tcpdump and QEMU, saw PIDs ${pids}`);

    child.kill(signal);
    const status = await child.status;
    assert.equal(status.code, expectedCode, `runner exit code ${status.code}`);
    // The kills are sent before (SIGTERM) or just after (SIGKILL, guardian) the runner's exit.
    await waitFor(
      async () => {
        const left = (await listNamespaces()).some((ns) => ns.startsWith(prefix));
        return left || pids.some(processExists) ? undefined : true;
      },
      5000,
      100,
    );
    const left = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
    assert.deepEqual(left, [], "namespaces survived the interrupt");
    assert.deepEqual(pids.filter(processExists), [], "processes survived the interrupt");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await reader;
    await errors;
    await Deno.remove(tmp, { recursive: true });
  }
}

async function pidsIn(namespaces: string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const ns of namespaces) {
    const out = await new Deno.Command("ip", { args: ["netns", "pids", ns] }).output();
    pids.push(...new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number));
  }
  return pids;
}

function processExists(pid: number): boolean {
  try {
    // A zombie still has /proc/<pid> but holds nothing (PID 1 here may never reap it).
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
