/**
 * Turns the client packets of a scenario's capture into decoding fixtures: one `.bin` per packet
 * (the exact UDP payload) plus a manifest entry with provenance and the decoded facts that
 * tests/dhcp/qemu_fixtures_test.ts checks.
 */
import { messageTypeName, Opt } from "../../src/dhcp/options.ts";
import { archCodes, type DhcpFrame, isFromClient, messageType, textOption } from "./capture.ts";
import { run } from "./command.ts";
import type { Evidence } from "./evidence.ts";
import { machine } from "./firmware.ts";

export interface PackageVersion {
  name: string;
  version: string;
}

/** One manifest entry. Field names follow tests/fixtures/public/manifest.json where they overlap. */
export interface QemuFixtureEntry {
  file: string;
  sha256: string;
  length: number;
  role: "client";
  scenario: string;
  /** `firmware` (EDK2's own PXE) or `ipxe` (an iPXE ROM or a chain-loaded ipxe.efi). */
  stage: "firmware" | "ipxe";
  sender: PackageVersion;
  firmware: { description: string; packages: PackageVersion[] };
  qemu: { binary: string; version: string; package: PackageVersion; machine_type: string };
  nic: string;
  accel: "tcg";
  captured_on: string;
  proxy: string;
  message_type: string;
  udp_src_port: number;
  udp_dst_port: number;
  ip_src: string;
  ip_dst: string;
  eth_src: string;
  xid: string;
  chaddr: string;
  flags: string;
  arch_option93: number | null;
  arch_list_93: number[];
  vendor_class_60: string | null;
  /** Hex of the raw option bytes. */
  user_class_77: string | null;
  has_option_175: boolean;
  options_order: number[];
  parameter_request_list_55: number[] | null;
  max_message_size_57: number | null;
  ndi_94: string | null;
  guid_97: string | null;
}

export interface ExtractedFixture {
  entry: QemuFixtureEntry;
  bytes: Uint8Array;
}

export interface Provenance {
  date: string;
  versions: Map<string, string>;
  qemuVersions: Map<string, string>;
}

/** Versions of every package and emulator the scenarios use, read once per capture. */
export async function readProvenance(packages: string[], emulators: string[]): Promise<Provenance> {
  const versions = new Map<string, string>();
  for (const name of new Set(packages)) {
    versions.set(name, (await run("dpkg-query", ["-W", "-f=${Version}", name])).trim());
  }
  const qemuVersions = new Map<string, string>();
  for (const binary of new Set(emulators)) {
    qemuVersions.set(binary, (await run(binary, ["--version"])).split("\n")[0].trim());
  }
  return { date: new Date().toISOString().slice(0, 10), versions, qemuVersions };
}

/** The distinct client packets of one run (first of each name; retransmissions dropped). */
export async function extractFixtures(
  e: Evidence,
  provenance: Provenance,
): Promise<ExtractedFixture[]> {
  const m = machine(e.scenario.machine);
  const seen = new Set<string>();
  const fixtures: ExtractedFixture[] = [];
  for (const frame of e.frames.filter(isFromClient)) {
    const stage = isIpxe(frame) ? "ipxe" : "firmware";
    const type = messageTypeName(messageType(frame)).toLowerCase();
    const arch = archCodes(frame)[0];
    const client = stage === "ipxe" ? "ipxe" : "edk2";
    const file = `qemu-${m.id}_${client}-arch${arch ?? "none"}-${type}-${frame.dstPort}.bin`;
    if (seen.has(file)) continue;
    seen.add(file);
    const pkg = (name: string | undefined): PackageVersion => ({
      name: name ?? "unknown",
      version: name ? provenance.versions.get(name) ?? "unknown" : "unknown",
    });
    const qemuPackage = m.packages[0];
    fixtures.push({
      bytes: frame.payload,
      entry: {
        file,
        sha256: await sha256Hex(frame.payload),
        length: frame.payload.length,
        role: "client",
        scenario: e.scenario.id,
        stage,
        sender: pkg(m.senders[stage]),
        firmware: { description: m.description, packages: m.packages.map(pkg) },
        qemu: {
          binary: m.qemu,
          version: provenance.qemuVersions.get(m.qemu) ?? "unknown",
          package: pkg(qemuPackage),
          machine_type: m.machineType,
        },
        nic: m.nic,
        accel: "tcg",
        captured_on: provenance.date,
        proxy: e.proxyKind,
        ...packetFacts(frame),
      },
    });
  }
  return fixtures;
}

function isIpxe(frame: DhcpFrame): boolean {
  return frame.packet!.options.has(Opt.Ipxe) || textOption(frame, Opt.UserClass) === "iPXE";
}

function packetFacts(frame: DhcpFrame) {
  const p = frame.packet!;
  const option = (code: number) => p.options.get(code);
  const max = option(Opt.MaxMessageSize);
  return {
    message_type: messageTypeName(messageType(frame)).toLowerCase(),
    udp_src_port: frame.srcPort,
    udp_dst_port: frame.dstPort,
    ip_src: frame.srcIp,
    ip_dst: frame.dstIp,
    eth_src: frame.srcMac,
    xid: `0x${p.xid.toString(16).padStart(8, "0")}`,
    chaddr: hex(p.chaddr.subarray(0, p.hlen), ":"),
    flags: `0x${p.flags.toString(16).padStart(4, "0")}`,
    arch_option93: archCodes(frame)[0] ?? null,
    arch_list_93: archCodes(frame),
    vendor_class_60: textOption(frame, Opt.VendorClass) ?? null,
    user_class_77: nullable(option(Opt.UserClass)),
    has_option_175: p.options.has(Opt.Ipxe),
    options_order: [...p.options.keys()],
    parameter_request_list_55: option(Opt.ParamRequestList)
      ? [...option(Opt.ParamRequestList)!]
      : null,
    max_message_size_57: max?.length === 2 ? (max[0] << 8) | max[1] : null,
    ndi_94: nullable(option(Opt.ClientNdi)),
    guid_97: nullable(option(Opt.ClientGuid)),
  };
}

function nullable(value: Uint8Array | undefined): string | null {
  return value === undefined ? null : hex(value);
}

function hex(bytes: Uint8Array, separator = ""): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(separator);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes))));
}
