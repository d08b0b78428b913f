/**
 * A private network namespace holding only `lo`, where every responder and the load generator
 * run. Proxy OFFERs are broadcast to 255.255.255.255, and on the host that would leave through
 * the default-route NIC (toolchain.md "UDP, broadcast"); inside the namespace the only route is
 * `default dev lo`, so broadcasts loop back to the generator and nothing ever leaves the box.
 * It also lets dnsmasq use its fixed ports 67/68 without touching the host's.
 */

export interface Namespace {
  readonly name: string;
  /** Argv prefix that runs a command inside the namespace, pinned to `cpu` when given. */
  exec(cpu?: number): string[];
  /** Removes the namespace (processes inside must have been stopped by their PIDs first). */
  remove(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const out = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    const detail = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`Cannot run ip ${args.join(" ")}: ${detail}`);
  }
}

export async function createNamespace(prefix = "pxbench"): Promise<Namespace> {
  if (Deno.uid?.() !== 0) {
    throw new Error("Cannot create a network namespace: run as root (the bench needs `ip netns`)");
  }
  const name = `${prefix}-${Deno.pid}-${Math.floor(Math.random() * 1e6)}`;
  await ip(["netns", "add", name]);
  try {
    await ip(["-n", name, "link", "set", "lo", "up"]);
    // Sending to 255.255.255.255 needs a route (toolchain.md); lo is the only device here.
    await ip(["-n", name, "route", "add", "default", "dev", "lo"]);
  } catch (error) {
    await ip(["netns", "del", name]).catch(() => {});
    throw error;
  }
  return {
    name,
    exec: (cpu) => [
      "ip",
      "netns",
      "exec",
      name,
      ...(cpu === undefined ? [] : ["taskset", "-c", String(cpu)]),
    ],
    remove: () => ip(["netns", "del", name]),
  };
}
