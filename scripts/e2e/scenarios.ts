/**
 * The real-firmware scenarios. Each says which machine boots, how the proxy is configured, what
 * must be observed, and a hard deadline. Marker scenarios pass only when the iPXE script served
 * over HTTP prints this run's marker; capture-only scenarios (ia32, arm64: no iPXE build for them
 * in Debian) are judged from the DHCP capture and the proxy's decision log.
 */
import type { MachineId } from "./firmware.ts";
import type { ProxyKind, ProxySetup } from "./proxy.ts";
import type { NetworkKind } from "./topology.ts";

export type Expectation =
  /** The marker appears on the serial console: `BOOT-OK <platform> <buildarch> run=<id>`. */
  | { kind: "marker"; platform: string; buildarch: string }
  /** No bootstrap for this arch: the proxy stays silent and logs a drop decision. */
  | { kind: "dropped"; arch: string; archCode: number }
  /** A bootstrap is configured: proxy OFFER, then the 4011 exchange carrying `bootFile`. */
  | { kind: "answered"; arch: string; archCode: number; bootFile: string };

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly machine: MachineId;
  /** Fixed per scenario so that fixtures and logs are comparable between runs. */
  readonly mac: string;
  readonly setup: ProxySetup;
  /** `relayed`: the VM sits on its own subnet behind a DHCP relay (routed.ts). Default flat. */
  readonly network?: NetworkKind;
  readonly expect: Expectation;
  /** Hard bound on the QEMU run, from its start. */
  readonly deadlineMs: number;
}

const IA32_BOOTSTRAP = "ipxe-ia32.efi";
const ARM64_BOOTSTRAP = "ipxe-arm64.efi";

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "x64-uefi-edk2-pxe",
    title: "x64 UEFI, EDK2 PXE → ipxe.efi over TFTP → iPXE → script over HTTP",
    machine: "x64-uefi-edk2",
    mac: "52:54:00:99:00:01",
    setup: {},
    expect: { kind: "marker", platform: "efi", buildarch: "x86_64" },
    deadlineMs: 100_000,
  },
  {
    id: "bios-ipxe-rom",
    title: "BIOS with iPXE NIC ROM → script over HTTP",
    machine: "bios-ipxe-rom",
    mac: "52:54:00:99:00:02",
    setup: {},
    expect: { kind: "marker", platform: "pcbios", buildarch: "i386" },
    deadlineMs: 70_000,
  },
  {
    id: "x64-uefi-ipxe-rom",
    title: "x64 UEFI with iPXE EFI NIC ROM → script over HTTP",
    machine: "x64-uefi-ipxe-rom",
    mac: "52:54:00:99:00:03",
    setup: {},
    expect: { kind: "marker", platform: "efi", buildarch: "x86_64" },
    deadlineMs: 100_000,
  },
  {
    id: "ia32-uefi-unconfigured",
    title: "ia32 UEFI, no bootstrap for ia32-uefi → proxy silent, drop logged",
    machine: "ia32-uefi-edk2",
    mac: "52:54:00:99:00:04",
    setup: {},
    expect: { kind: "dropped", arch: "ia32-uefi", archCode: 6 },
    deadlineMs: 60_000,
  },
  {
    id: "ia32-uefi-bootstrap",
    title: `ia32 UEFI, [bootstrap] ia32-uefi = ${IA32_BOOTSTRAP} → OFFER + 4011 ACK`,
    machine: "ia32-uefi-edk2",
    mac: "52:54:00:99:00:04",
    setup: { bootstrap: { "ia32-uefi": IA32_BOOTSTRAP } },
    expect: { kind: "answered", arch: "ia32-uefi", archCode: 6, bootFile: IA32_BOOTSTRAP },
    deadlineMs: 60_000,
  },
  {
    id: "arm64-uefi-unconfigured",
    title: "arm64 UEFI, no bootstrap for arm64-uefi → proxy silent, drop logged",
    machine: "arm64-uefi-edk2",
    mac: "52:54:00:99:00:05",
    setup: {},
    expect: { kind: "dropped", arch: "arm64-uefi", archCode: 11 },
    deadlineMs: 90_000,
  },
  {
    id: "arm64-uefi-bootstrap",
    title: `arm64 UEFI, [bootstrap] arm64-uefi = ${ARM64_BOOTSTRAP} → OFFER + 4011 ACK`,
    machine: "arm64-uefi-edk2",
    mac: "52:54:00:99:00:05",
    setup: { bootstrap: { "arm64-uefi": ARM64_BOOTSTRAP } },
    expect: { kind: "answered", arch: "arm64-uefi", archCode: 11, bootFile: ARM64_BOOTSTRAP },
    deadlineMs: 90_000,
  },
  {
    id: "x64-uefi-edk2-relayed",
    title: "x64 UEFI, EDK2 PXE on a routed subnet via a DHCP relay → ipxe.efi → script over HTTP",
    machine: "x64-uefi-edk2",
    mac: "52:54:00:99:00:06",
    network: "relayed",
    setup: {},
    expect: { kind: "marker", platform: "efi", buildarch: "x86_64" },
    deadlineMs: 100_000,
  },
];

/**
 * Why a scenario does not apply to a proxy, or undefined. dnsmasq (2.90) in proxy mode OFFERs to
 * every PXEClient, even an arch with no --pxe-service (measured here), so "stays silent" is a
 * proxydhcpd property only.
 */
export function notApplicable(s: Scenario, proxy: ProxyKind): string | undefined {
  if (proxy === "dnsmasq" && s.expect.kind === "dropped") {
    return "dnsmasq's proxy mode answers every arch, so there is no silence to check";
  }
  return undefined;
}

export function scenario(id: string): Scenario {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) {
    throw new Error(`Cannot find scenario ${id}: known are ${SCENARIOS.map((s) => s.id)}`);
  }
  return found;
}
