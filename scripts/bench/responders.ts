/**
 * The responders the bench compares, how each is started, and what a correct reply from each
 * looks like. All of them run inside the bench namespace and use the same ports.
 */
import type { Expect, Target } from "./loadgen.ts";

export interface Ports {
  /** DISCOVERs arrive here (67). */
  readonly dhcp: number;
  /** ProxyDHCP REQUESTs arrive here (4011). */
  readonly pxe: number;
  /** Proxy OFFERs are broadcast to this port (68). */
  readonly client: number;
}

/** dnsmasq cannot move 67/68/4011, so every responder gets the real ports (safe in the netns). */
export const STANDARD_PORTS: Ports = { dhcp: 67, pxe: 4011, client: 68 };

export type ResponderId = "proxydhcpd" | "dnsmasq" | "dnsmasq-quiet" | "echo";

export interface Responder {
  readonly id: ResponderId;
  /** Column heading. */
  readonly label: string;
  /** Argv (run from the repo root) given a scratch directory for config and logs. */
  command(scratch: string, ports: Ports): string[];
  /** How replies are judged: a real proxy, or the echo (same bytes back). */
  readonly expect: { pxe: Expect; dhcp: Expect };
}

const REPO = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${REPO}tests/fixtures/public/`;

/** Real firmware packets (tests/fixtures/public): an ASRock UEFI x64 board's PXE exchange. */
export const PXE_REQUEST_TEMPLATE = `${FIXTURES}asrock_uefi_x64-arch7-request-4011.bin`;
export const DISCOVER_TEMPLATE = `${FIXTURES}asrock_uefi_x64-arch7-discover-67.bin`;

/** What both proxies hand an x64 UEFI firmware client on udp/4011. */
export const EFI_BOOT_FILE = "ipxe.efi";

/** The proxydhcpd config of the brief: info-level decision log to stdout (JSON lines). */
export function proxydhcpdConfig(ports: Ports): string {
  return [
    "[proxy]",
    "listen_address=127.0.0.1",
    "tftpd=127.0.0.1",
    "[ipxe]",
    "enabled=true",
    "legacy_bootstrap=undionly.kpxe",
    `efi_bootstrap=${EFI_BOOT_FILE}`,
    "chainload_url=http://127.0.0.1/boot.ipxe",
    "[server]",
    `dhcp_port=${ports.dhcp}`,
    `pxe_port=${ports.pxe}`,
    `client_port=${ports.client}`,
    "",
  ].join("\n");
}

/** `base` is how to start the daemon without `-c` (the lead may narrow the permissions). */
export function proxydhcpd(base: string[]): Responder {
  return {
    id: "proxydhcpd",
    label: "proxydhcpd",
    command(scratch, ports) {
      const config = `${scratch}/proxy.ini`;
      Deno.writeTextFileSync(config, proxydhcpdConfig(ports));
      return [...base, "-c", config];
    },
    expect: { pxe: "ack", dhcp: "offer" },
  };
}

export const DEFAULT_PROXYDHCPD = [Deno.execPath(), "run", "--allow-all", "src/main.ts"];

/**
 * dnsmasq in proxy mode on `lo`: one PXE service per arch, so EFI clients get the file on 4011
 * (its single-service UEFI workaround, protocol.md §12.12). It logs one line per reply to a file
 * as it would in production; `quiet` adds --quiet-dhcp.
 */
export function dnsmasq(quiet: boolean): Responder {
  return {
    id: quiet ? "dnsmasq-quiet" : "dnsmasq",
    label: quiet ? "dnsmasq quiet" : "dnsmasq",
    command(scratch) {
      return [
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--port=0",
        "--no-resolv",
        "--no-hosts",
        "--interface=lo",
        "--bind-interfaces",
        "--dhcp-range=127.0.0.1,proxy",
        "--pxe-service=x86PC,BIOS,undionly.kpxe",
        `--pxe-service=x86-64_EFI,UEFI,${EFI_BOOT_FILE}`,
        `--pxe-service=BC_EFI,UEFI,${EFI_BOOT_FILE}`,
        `--log-facility=${scratch}/dnsmasq.log`,
        `--pid-file=${scratch}/dnsmasq.pid`,
        ...(quiet ? ["--quiet-dhcp"] : []),
      ];
    },
    expect: { pxe: "ack", dhcp: "offer" },
  };
}

/** The bare Deno.listenDatagram echo: the ceiling for a Deno responder. */
export const echo: Responder = {
  id: "echo",
  label: "deno echo",
  command(_scratch, ports) {
    return [
      Deno.execPath(),
      "run",
      "--allow-net",
      `${REPO}scripts/bench/echo.ts`,
      `--pxe-port=${ports.pxe}`,
      `--dhcp-port=${ports.dhcp}`,
      `--client-port=${ports.client}`,
    ];
  },
  expect: { pxe: "echo", dhcp: "echo" },
};

/** udp/4011: unicast REQUEST from 127.0.0.1, ACK back to the source IP:port. */
export function pxeTarget(responder: Responder, ports: Ports): Target {
  return {
    template: PXE_REQUEST_TEMPLATE,
    server: `127.0.0.1:${ports.pxe}`,
    bind: "127.0.0.1:0",
    expect: responder.expect.pxe,
    bootFile: responder.expect.pxe === "ack" ? EFI_BOOT_FILE : undefined,
  };
}

/** udp/67: broadcast DISCOVER from the client port, OFFER broadcast back to that port. */
export function dhcpTarget(responder: Responder, ports: Ports): Target {
  return {
    template: DISCOVER_TEMPLATE,
    server: `255.255.255.255:${ports.dhcp}`,
    bind: `0.0.0.0:${ports.client}`,
    expect: responder.expect.dhcp,
  };
}
