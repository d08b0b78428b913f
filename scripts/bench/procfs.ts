/** What the kernel says about a responder process: CPU time and memory (proc(5)). */

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux build we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds used so far by all threads of `pid`. */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) may contain spaces; fields after its ")" are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** VmRSS (current) and VmHWM (peak) in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (key: string) => {
    const match = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
    if (!match) throw new Error(`Cannot read ${key} of process ${pid}`);
    return Number(match[1]);
  };
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/**
 * Busy and softirq seconds of one core so far (/proc/stat `cpuN` line: user nice system idle
 * iowait irq softirq steal ...).
 */
export function coreSeconds(core: number): { busy: number; softirq: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")
    .find((l) => l.startsWith(`cpu${core} `));
  if (!line) throw new Error(`Cannot read the times of core ${core} from /proc/stat`);
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = t[0] + t[1] + t[2] + t[5] + t[6] + (t[7] ?? 0);
  return { busy: busy / CLOCK_TICKS_PER_SECOND, softirq: t[6] / CLOCK_TICKS_PER_SECOND };
}

export interface CpuShare<T> {
  readonly result: T;
  /** CPU the responder used, % of one core. */
  readonly cpuPercent: number;
  /**
   * Time its core spent on anything else (other processes, steal), % of the core, excluding
   * softirq (where the kernel delivers loopback packets). High values mean a noisy run.
   */
  readonly otherPercent?: number;
}

/** Measures the CPU share `pid` used while `work` ran, and what else ran on `core`. */
export async function cpuShareDuring<T>(
  pid: number,
  core: number | undefined,
  work: () => Promise<T>,
): Promise<CpuShare<T>> {
  const own0 = cpuSeconds(pid);
  const core0 = core === undefined ? undefined : coreSeconds(core);
  const t0 = performance.now();
  const result = await work();
  const wall = (performance.now() - t0) / 1000;
  const own = cpuSeconds(pid) - own0;
  const cpuPercent = (100 * own) / wall;
  if (core0 === undefined) return { result, cpuPercent };
  const core1 = coreSeconds(core!);
  const other = core1.busy - core0.busy - (core1.softirq - core0.softirq) - own;
  return { result, cpuPercent, otherPercent: Math.max(0, (100 * other) / wall) };
}
