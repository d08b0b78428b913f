/** Who is asking: boot stage, architecture and identity of a request. Pure. */
import type { DhcpPacket } from "../dhcp/packet.ts";
import {
  getClientArchs,
  getMessageType,
  getUserClass,
  getVendorClass,
  Opt,
} from "../dhcp/options.ts";
import { ARCH_TYPES } from "./arch.ts";
import { resolveArch } from "./quirks.ts";

/**
 * - `firmware`: the NIC ROM or UEFI PXE driver; gets the bootstrap (e.g. undionly.kpxe).
 * - `ipxe`: iPXE is already running; gets the script, which breaks the chainload loop.
 * - `http`: UEFI HTTP boot (`HTTPClient`); gets an absolute URL.
 */
export type Stage = "firmware" | "ipxe" | "http";

export interface Client {
  readonly mac: string;
  readonly xid: number;
  readonly messageType?: number;
  readonly vendorClass?: string;
  /** The arch to route by (after quirks), if any could be found. */
  readonly arch?: number;
  readonly stage: Stage;
}

export const PXE_VENDOR = "PXEClient";
export const HTTP_VENDOR = "HTTPClient";
const IPXE_USER_CLASS = "iPXE";

export function macOf(packet: DhcpPacket): string {
  const length = Math.min(packet.hlen, 16);
  let mac = "";
  for (let i = 0; i < length; i++) {
    mac += (i ? ":" : "") + packet.chaddr[i].toString(16).padStart(2, "0");
  }
  return mac;
}

export function classify(packet: DhcpPacket): Client {
  const options = packet.options;
  const vendorClass = getVendorClass(options);
  const mac = macOf(packet);
  const arch = resolveArch(
    { mac, archs: getClientArchs(options), vendorClass },
    (code) => ARCH_TYPES.has(code),
  );
  return {
    mac,
    xid: packet.xid,
    messageType: getMessageType(options),
    vendorClass,
    arch,
    stage: stageOf(options, vendorClass),
  };
}

function stageOf(options: ReadonlyMap<number, Uint8Array>, vendorClass?: string): Stage {
  if (vendorClass?.startsWith(HTTP_VENDOR)) return "http";
  return isIpxe(options) ? "ipxe" : "firmware";
}

/**
 * iPXE always sends option 175 (its feature flags) and user class "iPXE" as raw bytes; RFC 3004
 * length-prefixed "iPXE" is accepted too (protocol.md §9). A custom user class alone (e.g. an iPXE
 * built with another name) is not iPXE unless 175 is there.
 */
export function isIpxe(options: ReadonlyMap<number, Uint8Array>): boolean {
  if (options.has(Opt.Ipxe)) return true;
  const userClass = getUserClass(options);
  return userClass !== undefined &&
    (userClass.raw === IPXE_USER_CLASS || userClass.classes.includes(IPXE_USER_CLASS));
}
