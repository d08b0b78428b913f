/**
 * DHCP packet capture on the VM's tap (tcpdump), and its decoding: Ethernet → IPv4 → UDP →
 * `decodePacket`. The tap sees exactly what the VM sends and receives, so the client packets are
 * true firmware packets, fit to become fixtures.
 */
import { decodePacket, type DhcpPacket } from "../../src/dhcp/packet.ts";
import { Opt } from "../../src/dhcp/options.ts";
import { readPcap } from "../../tests/support/pcap.ts";
import { waitFor } from "./command.ts";
import type { Supervised, Supervisor } from "./supervisor.ts";

export const CAPTURE_FILTER = "udp port 67 or udp port 68 or udp port 4011";

/** One captured UDP datagram on a DHCP port, decoded when it parses as DHCP. */
export interface DhcpFrame {
  /** Seconds since the epoch, from the capture. */
  time: number;
  srcMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** The UDP payload: the BOOTP message exactly as sent. */
  payload: Uint8Array;
  packet?: DhcpPacket;
  decodeError?: string;
}

/** Starts tcpdump on the tap and waits until it is listening. */
export async function startCapture(
  supervisor: Supervisor,
  netns: string,
  iface: string,
  pcapPath: string,
): Promise<Supervised> {
  // --immediate-mode: without it the kernel hands packets over in blocks with up to 1 s delay,
  // and a capture stopped right after the marker misses the last exchange (seen here).
  // -Z root: tcpdump otherwise drops to its own user and cannot write into our work dir.
  const tcpdump = supervisor.spawn("tcpdump", [
    "tcpdump",
    "-i",
    iface,
    "--immediate-mode",
    "-U",
    "-n",
    "-Z",
    "root",
    "-s",
    "0",
    "-w",
    pcapPath,
    CAPTURE_FILTER,
  ], { netns });
  const ready = await waitFor(
    () => /listening on/.test(tcpdump.stderr()) || tcpdump.exited() || undefined,
    10_000,
  );
  if (!ready || tcpdump.exited()) {
    throw new Error(`Cannot start tcpdump on ${iface}: ${tcpdump.stderr().trim() || "timeout"}`);
  }
  return tcpdump;
}

/** Reads whatever the capture holds so far (safe while tcpdump is still writing). */
export function readCapture(pcapPath: string): DhcpFrame[] {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(pcapPath);
  } catch {
    return [];
  }
  if (bytes.length < 24) return [];
  return decodeFrames(bytes);
}

export function decodeFrames(pcapBytes: Uint8Array): DhcpFrame[] {
  const pcap = readPcap(pcapBytes);
  if (pcap.linkType !== 1) throw new Error(`Cannot decode capture: link type ${pcap.linkType}`);
  const frames: DhcpFrame[] = [];
  for (const record of pcap.records) {
    const frame = parseEthernetUdp(record.data, record.time);
    if (frame) frames.push(frame);
  }
  return frames;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IP_PROTO_UDP = 17;

function parseEthernetUdp(data: Uint8Array, time: number): DhcpFrame | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 12;
  let ethertype = view.getUint16(at);
  if (ethertype === ETHERTYPE_VLAN) {
    at += 4;
    ethertype = view.getUint16(at);
  }
  at += 2;
  if (ethertype !== ETHERTYPE_IPV4 || data.length < at + 20) return undefined;
  const ihl = (data[at] & 0x0f) * 4;
  if (data[at + 9] !== IP_PROTO_UDP) return undefined;
  const fragment = view.getUint16(at + 6) & 0x3fff;
  if (fragment !== 0) return undefined; // DHCP never fragments here; skip rather than misparse.
  const srcIp = [...data.subarray(at + 12, at + 16)].join(".");
  const dstIp = [...data.subarray(at + 16, at + 20)].join(".");
  const udp = at + ihl;
  const udpLength = view.getUint16(udp + 4);
  const payload = data.slice(udp + 8, Math.min(data.length, udp + udpLength));
  const frame: DhcpFrame = {
    time,
    srcMac: formatMac(data.subarray(6, 12)),
    srcIp,
    dstIp,
    srcPort: view.getUint16(udp),
    dstPort: view.getUint16(udp + 2),
    payload,
  };
  try {
    frame.packet = decodePacket(payload);
  } catch (error) {
    frame.decodeError = (error as Error).message;
  }
  return frame;
}

export function formatMac(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

// ---- accessors used by scenario checks and summaries ----

export function messageType(frame: DhcpFrame): number | undefined {
  return frame.packet?.options.get(Opt.MessageType)?.[0];
}

export function textOption(frame: DhcpFrame, code: number): string | undefined {
  const value = frame.packet?.options.get(code);
  return value === undefined ? undefined : String.fromCharCode(...value);
}

export function archCodes(frame: DhcpFrame): number[] {
  const value = frame.packet?.options.get(Opt.ClientArch);
  if (!value) return [];
  const codes: number[] = [];
  for (let i = 0; i + 1 < value.length; i += 2) codes.push((value[i] << 8) | value[i + 1]);
  return codes;
}

export function serverId(frame: DhcpFrame): string | undefined {
  const value = frame.packet?.options.get(Opt.ServerId);
  return value?.length === 4 ? [...value].join(".") : undefined;
}

/** Boot file from the `file` field, or option 67 when the field is empty. */
export function bootFile(frame: DhcpFrame): string | undefined {
  return frame.packet?.file || textOption(frame, Opt.BootfileName) || undefined;
}

/** A client packet: sent to a server port (67 or 4011). */
export function isFromClient(frame: DhcpFrame): boolean {
  return frame.packet?.op === 1 && (frame.dstPort === 67 || frame.dstPort === 4011);
}
