/**
 * Network-namespace lab for tests: namespaces, veth pairs, addresses and routes, processes run
 * inside a namespace, and cleanup. Needs root and iproute2's `ip`; `netnsSupport()` says whether
 * this machine has both (tests skip with its reason otherwise).
 *
 * Names are unique per test process and lab (`pdt-<pid>-<n>-<short>`), so labs never collide
 * with parallel tests. Interfaces are created directly inside their namespaces, so their names
 * never meet the host's. Only loopback and these namespaces ever see traffic.
 *
 *     const lab = new NetnsLab();
 *     try {
 *       const server = lab.namespace("srv");
 *       const client = lab.namespace("cli");
 *       await lab.veth(server, "s0", "10.77.1.1/24", client, "c0", "10.77.1.2/24");
 *       const child = lab.spawn(server, ["some", "command"]);
 *     } finally {
 *       await lab.cleanup(); // kills the children it spawned (by PID), deletes its namespaces
 *     }
 */

export const LAB_PREFIX = `pdt-${Deno.pid}-`;
let labCounter = 0;

export interface Support {
  readonly ok: boolean;
  readonly reason: string;
}

let support: Support | undefined;

/** Root, `ip` present, and a namespace can really be created here (containers may forbid it). */
export function netnsSupport(): Support {
  support ??= probeSupport();
  return support;
}

function probeSupport(): Support {
  if (Deno.build.os !== "linux") return { ok: false, reason: "network namespaces need Linux" };
  if (Deno.uid() !== 0) return { ok: false, reason: "network namespaces need root" };
  const probe = `${LAB_PREFIX}probe`;
  try {
    const added = new Deno.Command("ip", { args: ["netns", "add", probe], stderr: "piped" })
      .outputSync();
    if (!added.success) {
      const detail = new TextDecoder().decode(added.stderr).trim();
      return { ok: false, reason: `cannot create a network namespace: ${detail}` };
    }
    new Deno.Command("ip", { args: ["netns", "del", probe], stderr: "null" }).outputSync();
    return { ok: true, reason: "" };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { ok: false, reason: "iproute2's `ip` is not installed" };
    }
    throw error;
  }
}

/** Runs `ip args…`; throws with ip's stderr when it fails. */
export async function ip(...args: string[]): Promise<string> {
  const output = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    const detail = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot run ip ${args.join(" ")}: ${detail}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** Deletes every namespace whose name starts with `prefix` (leftovers of a crashed run). */
export async function cleanupNamespacesByPrefix(prefix: string): Promise<void> {
  const listing = await ip("netns", "list");
  for (const line of listing.split("\n")) {
    const name = line.split(" ")[0];
    if (name.startsWith(prefix)) await ip("netns", "del", name).catch(() => {});
  }
}

export class NetnsLab {
  readonly prefix: string;
  readonly #namespaces: string[] = [];
  readonly #processes: LabProcess[] = [];

  constructor() {
    this.prefix = `${LAB_PREFIX}${++labCounter}-`;
  }

  /** Creates a namespace with its loopback up; returns its full name. */
  async namespace(short: string): Promise<string> {
    const name = `${this.prefix}${short}`;
    await ip("netns", "add", name);
    this.#namespaces.push(name);
    await ip("-n", name, "link", "set", "lo", "up");
    return name;
  }

  /** A veth pair between two namespaces, both ends addressed (CIDR) and up. */
  async veth(
    nsA: string,
    ifA: string,
    cidrA: string,
    nsB: string,
    ifB: string,
    cidrB: string,
  ): Promise<void> {
    await ip("link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    await ip("-n", nsA, "addr", "add", cidrA, "dev", ifA);
    await ip("-n", nsB, "addr", "add", cidrB, "dev", ifB);
    await ip("-n", nsA, "link", "set", ifA, "up");
    await ip("-n", nsB, "link", "set", ifB, "up");
  }

  /** `ip route add <route…>` inside `ns`, e.g. `route(ns, "default", "via", "10.77.1.2")`. */
  async route(ns: string, ...route: string[]): Promise<void> {
    await ip("-n", ns, "route", "add", ...route);
  }

  /** The main routing table of `ns`, as `ip route show` prints it. */
  async routes(ns: string): Promise<string> {
    return await ip("-n", ns, "route", "show");
  }

  /** Kernel ifindex of `ifname` inside `ns`. */
  async ifindex(ns: string, ifname: string): Promise<number> {
    const [link] = JSON.parse(await ip("-n", ns, "-j", "link", "show", "dev", ifname));
    return link.ifindex;
  }

  /** Runs a command inside `ns` (`ip netns exec` execs it: the child's PID is the command's). */
  spawn(ns: string, command: string[]): LabProcess {
    const process = new LabProcess(["netns", "exec", ns, ...command]);
    this.#processes.push(process);
    return process;
  }

  /** Kills what this lab spawned (by PID), waits for it, then deletes its namespaces. */
  async cleanup(): Promise<void> {
    for (const process of this.#processes) await process.stop();
    for (const name of this.#namespaces) {
      await ip("netns", "del", name).catch(() => {});
    }
    this.#namespaces.length = 0;
    this.#processes.length = 0;
  }
}

export interface Exit {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string;
}

/** An `ip …` child whose stdout is read line by line as it comes, and stderr kept for errors. */
export class LabProcess {
  readonly pid: number;
  readonly finished: Promise<Exit>;
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #consumed = 0;
  #wake: (() => void) | undefined;
  #stderr = "";
  #ended = false;

  constructor(ipArgs: string[]) {
    this.#child = new Deno.Command("ip", {
      args: ipArgs,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#child.pid;
    const stdout = this.#readLines();
    const stderr = new Response(this.#child.stderr).text().then((text) => this.#stderr = text);
    this.finished = Promise.all([this.#child.status, stdout, stderr]).then(([status]) => ({
      code: status.code,
      stdout: [...this.#lines],
      stderr: this.#stderr,
    }));
  }

  /** The next stdout line; rejects at EOF or after `timeoutMs`, quoting stderr. */
  async nextLine(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#consumed >= this.#lines.length) {
      if (this.#ended) {
        await this.finished;
        throw new Error(`Cannot read from process ${this.pid}: it ended. ${this.#stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Cannot read from process ${this.pid}: no line in time`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return this.#lines[this.#consumed++];
  }

  /** Kills the process by PID unless it already exited, and waits until its pipes are drained. */
  async stop(): Promise<Exit> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    return await this.finished;
  }

  async #readLines(): Promise<void> {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop()!;
      if (parts.length > 0) {
        this.#lines.push(...parts);
        this.#wake?.();
      }
    }
    if (pending !== "") this.#lines.push(pending);
    this.#ended = true;
    this.#wake?.();
  }
}
