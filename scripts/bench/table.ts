/** Renders the bench figures as one Markdown table per port, ready to paste into the docs. */
import type { PortFigures, ResponderFigures } from "./measure.ts";

type Pick = (r: ResponderFigures, port: PortFigures) => number | undefined;

interface Row {
  readonly label: string;
  readonly pick: Pick;
  readonly digits: number;
  /** Print proxydhcpd/other ratios for this row (not for loss percentages). */
  readonly ratio: boolean;
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  if (value < 0) return "—";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) return "—";
  return `${(a / b).toFixed(2)}×`;
}

function rows(port: "pxe" | "dhcp", latencyRate: number, burstCount: number): Row[] {
  const list: Row[] = [
    {
      label: "replies/s at saturation",
      pick: (_, p) => p.repliesPerSecond,
      digits: 0,
      ratio: true,
    },
    {
      label: "replies per server CPU-second",
      pick: (_, p) => p.repliesPerCpuSecond,
      digits: 0,
      ratio: true,
    },
    { label: `p50 at ${latencyRate}/s (µs)`, pick: (_, p) => p.p50Us, digits: 0, ratio: true },
    { label: `p99 at ${latencyRate}/s (µs)`, pick: (_, p) => p.p99Us, digits: 0, ratio: true },
    { label: `p99.9 at ${latencyRate}/s (µs)`, pick: (_, p) => p.p999Us, digits: 0, ratio: true },
    { label: "loss at 50 % of saturation (%)", pick: (_, p) => p.lossPct, digits: 3, ratio: false },
    { label: "… at rate (requests/s)", pick: (_, p) => p.lossRate, digits: 0, ratio: false },
  ];
  if (port === "dhcp") {
    list.push({
      label: `loss in ${burstCount}-DISCOVER burst (%)`,
      pick: (_, p) => p.burst?.lossPct,
      digits: 1,
      ratio: false,
    });
  }
  list.push(
    {
      label: "server CPU at saturation (% of a core)",
      pick: (_, p) => p.cpuPercent,
      digits: 0,
      ratio: true,
    },
    {
      label: "other load on the server core (%)",
      pick: (_, p) => p.otherLoadPercent,
      digits: 0,
      ratio: false,
    },
    { label: "idle RSS (MiB)", pick: (r) => r.idleRssMiB, digits: 1, ratio: true },
    { label: "peak RSS (MiB)", pick: (r) => r.peakRssMiB, digits: 1, ratio: true },
    { label: "start-up to first reply (ms)", pick: (r) => r.startupMs, digits: 1, ratio: true },
    { label: "wrong replies (all runs)", pick: (_, p) => p.wrong, digits: 0, ratio: false },
  );
  return list;
}

export function renderTables(
  figures: readonly ResponderFigures[],
  ports: { pxe: number; dhcp: number },
  latencyRate: number,
  burstCount: number,
): string {
  const pd = figures.find((f) => f.id === "proxydhcpd");
  const dm = figures.find((f) => f.id === "dnsmasq");
  const ec = figures.find((f) => f.id === "echo");
  const ratios: [string, ResponderFigures | undefined][] = pd
    ? [["proxydhcpd/dnsmasq", dm], ["proxydhcpd/echo", ec]]
    : [];
  const out: string[] = [];
  for (const port of ["pxe", "dhcp"] as const) {
    const title = port === "pxe"
      ? `udp/${ports.pxe}: PXE REQUEST → ACK (unicast to source)`
      : `udp/${ports.dhcp}: DISCOVER → proxy OFFER (broadcast)`;
    out.push(`### ${title}`, "");
    const heads = ["metric", ...figures.map((f) => f.label)];
    for (const [name, other] of ratios) if (other) heads.push(name);
    out.push(`| ${heads.join(" | ")} |`);
    out.push(`|${heads.map((_, i) => i === 0 ? "---" : "---:").join("|")}|`);
    for (const row of rows(port, latencyRate, burstCount)) {
      const cells = figures.map((f) => format(row.pick(f, f[port]), row.digits));
      for (const [, other] of ratios) {
        if (!other || !pd) continue;
        cells.push(
          row.ratio ? ratio(row.pick(pd, pd[port]), row.pick(other, other[port])) : "",
        );
      }
      out.push(`| ${row.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
