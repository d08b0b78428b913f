/**
 * Boot-storm benchmark: proxydhcpd against dnsmasq (proxy mode) and a bare Deno echo, on both
 * ports, with a C load generator sending real firmware packets from distinct MACs. Everything
 * runs in a private network namespace (root needed); the responder is pinned to one core and the
 * generator to the other. Prints one Markdown table per port and writes every raw figure to
 * `.bench/bench-<time>.json`. Method and last figures: docs/performance.md.
 *
 *   deno task bench [--quick] [--duration S] [--responders proxydhcpd,dnsmasq,echo]
 */
import { parseArgs } from "node:util";
import { buildLoadgen } from "./bench/loadgen.ts";
import { type BenchSettings, measureResponder, type ResponderFigures } from "./bench/measure.ts";
import { createNamespace, type Namespace } from "./bench/netns.ts";
import { activeResponders } from "./bench/process.ts";
import {
  DEFAULT_PROXYDHCPD,
  dnsmasq,
  echo,
  proxydhcpd,
  type Responder,
  STANDARD_PORTS,
} from "./bench/responders.ts";
import { renderTables } from "./bench/table.ts";

const REPO = new URL("../", import.meta.url).pathname;
const USAGE = `usage: deno task bench [options]
  --quick                 short phases (about 10 s per responder), for CI smoke runs
  --duration S            seconds per timed phase (default 5; --quick: 0.5)
  --inflight K            requests in flight at saturation (default 64)
  --responders LIST       comma list of proxydhcpd,dnsmasq,dnsmasq-quiet,echo
                          (default: all four)
  --proxydhcpd-cmd CMD    how to start the daemon, without -c (default: deno run --allow-all src/main.ts)
  --server-cpu N          core for the responder (default 1)
  --loadgen-cpu N         core for the load generator (default 0)
  --keep-logs             keep configs and responder logs under .bench/
  --json FILE             where to write raw figures (default .bench/bench-<time>.json)`;

async function commandWorks(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).split("\n")[0] : undefined;
  } catch {
    return undefined;
  }
}

const loadText = (load: unknown) => (load as number[]).map((n) => n.toFixed(2)).join(" ");

function machine(): Record<string, unknown> {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  return {
    nproc: navigator.hardwareConcurrency,
    cpu: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    loadavg: Deno.loadavg(),
  };
}

async function chooseResponders(
  wanted: string[],
  proxydhcpdCmd: string[],
  say: (m: string) => void,
): Promise<Responder[]> {
  const chosen: Responder[] = [];
  for (const id of wanted) {
    if (id === "proxydhcpd") {
      try {
        Deno.statSync(`${REPO}src/main.ts`);
        chosen.push(proxydhcpd(proxydhcpdCmd));
      } catch {
        say("skipping proxydhcpd: src/main.ts not found");
      }
    } else if (id === "dnsmasq" || id === "dnsmasq-quiet") {
      if (await commandWorks("dnsmasq", ["--version"])) chosen.push(dnsmasq(id !== "dnsmasq"));
      else say(`skipping ${id}: dnsmasq not installed (apt-get install dnsmasq-base)`);
    } else if (id === "echo") {
      chosen.push(echo);
    } else {
      throw new Error(`Cannot bench "${id}": unknown responder\n${USAGE}`);
    }
  }
  return chosen;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      inflight: { type: "string", default: "64" },
      responders: { type: "string", default: "proxydhcpd,dnsmasq,dnsmasq-quiet,echo" },
      "proxydhcpd-cmd": { type: "string" },
      "server-cpu": { type: "string", default: "1" },
      "loadgen-cpu": { type: "string", default: "0" },
      "keep-logs": { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const say = (m: string) => console.error(`bench: ${m}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const quick = values.quick;
  const duration = Number(values.duration ?? (quick ? 0.5 : 5));
  const cores = navigator.hardwareConcurrency;
  const pin = (v: string) => (cores > 1 ? Number(v) : undefined);
  const settings: BenchSettings = {
    duration,
    inflight: Number(values.inflight),
    latencyRate: 2000,
    lossLoad: 0.5,
    burstCount: 5000,
    burstWindow: quick ? 1 : 3,
    drainWindow: quick ? 0.5 : 1,
    idleSeconds: quick ? 0.3 : 1,
    startupTimeout: 10,
    serverCpu: pin(values["server-cpu"]),
    loadgenCpu: pin(values["loadgen-cpu"]),
    ports: STANDARD_PORTS,
    keepLogs: values["keep-logs"],
    workDir: `${REPO}.bench/run-${stamp}`,
  };
  if (!(duration > 0) || !(settings.inflight > 0)) throw new Error(`Cannot bench:\n${USAGE}`);
  const proxydhcpdCmd = values["proxydhcpd-cmd"]?.trim().split(/\s+/) ?? DEFAULT_PROXYDHCPD;

  await buildLoadgen();
  const responders = await chooseResponders(
    values.responders.split(",").map((s) => s.trim()).filter(Boolean),
    proxydhcpdCmd,
    say,
  );
  const before = machine();
  say(
    `${before.nproc} cores, ${before.cpu}, kernel ${before.kernel}, ` +
      `load average ${loadText(before.loadavg)}`,
  );

  const ns: Namespace = await createNamespace();
  const cleanUp = async () => {
    for (const r of [...activeResponders]) await r.stop(500);
    await ns.remove().catch(() => {});
    try {
      if (!settings.keepLogs) Deno.removeSync(settings.workDir, { recursive: true });
    } catch {
      // Nothing was written.
    }
  };
  const onInterrupt = () => {
    say("interrupted: stopping responders and removing the namespace");
    cleanUp().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  Deno.addSignalListener("SIGTERM", onInterrupt);

  const figures: ResponderFigures[] = [];
  const failures: Record<string, string> = {};
  try {
    for (const responder of responders) {
      try {
        figures.push(await measureResponder(ns, responder, settings, say));
      } catch (error) {
        failures[responder.id] = error instanceof Error ? error.message : String(error);
        say(`${responder.label} failed: ${failures[responder.id]}`);
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    Deno.removeSignalListener("SIGTERM", onInterrupt);
    await cleanUp();
  }

  const after = machine();
  const tables = renderTables(
    figures,
    settings.ports,
    settings.latencyRate,
    settings.burstCount,
  );
  console.log(
    `## Boot-storm bench ${new Date().toISOString()}${quick ? " (quick)" : ""}\n\n` +
      `${after.nproc} cores (${after.cpu}), kernel ${after.kernel}, deno ${after.deno}, ` +
      `${settings.duration} s per phase, ${settings.inflight} in flight at saturation; ` +
      `load average before ${loadText(before.loadavg)}, after ${
        loadText(after.loadavg)
      }\n\n${tables}`,
  );
  const jsonPath = values.json ?? `${REPO}.bench/bench-${stamp}.json`;
  Deno.writeTextFileSync(
    jsonPath,
    JSON.stringify({ settings, before, after, figures, failures }, null, 2) + "\n",
  );
  say(`raw figures: ${jsonPath}`);
  const wrong = figures.reduce((n, f) => n + f.pxe.wrong + f.dhcp.wrong, 0);
  if (wrong > 0) say(`${wrong} wrong replies: see ${jsonPath}`);
  return Object.keys(failures).length > 0 || wrong > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    Deno.exit(2);
  }
}
