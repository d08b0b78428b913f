/** What the router decided for one request: a reply plan or a drop with a reason. */
import type { Client } from "./classify.ts";

/** The two listening ports; one `decide` serves both. */
export type Port = "dhcp" | "pxe";

/**
 * How the reply steers the client (protocol.md §5.1 and §7):
 * - `direct`: OFFER with 43 = {6: 8}, siaddr and file: boot this file now (BIOS ROMs, smee).
 * - `binl`: OFFER without 43 and without file, siaddr = us: come to udp/4011 (EDK2, pixiecore).
 * - `ipxe`: OFFER with siaddr and the script as file; iPXE needs both (protocol.md pitfall 5).
 * - `http`: OFFER with 60 = HTTPClient and an absolute URL (UEFI HTTP boot).
 * - `ack`: the udp/4011 ACK carrying the boot file.
 * - `boot-item`: ACK to a Boot Server Discovery request (43.71), echoing the item.
 */
export type Recipe = "direct" | "binl" | "ipxe" | "http" | "ack" | "boot-item";

export interface ReplyDecision {
  readonly action: "offer" | "ack";
  readonly client: Client;
  readonly recipe: Recipe;
  /** File name or URL the client boots next; the same on both ports for the same client. */
  readonly bootFile: string;
  /** siaddr for the boot file; undefined = the server's own address. */
  readonly nextServer?: string;
  /** Raspberry Pi firmware only accepts offers naming itself in 43.9/43.10 (protocol.md §5). */
  readonly raspberryPiMenu: boolean;
  /** Boot item echoed in a boot-item ACK (43.71). */
  readonly bootItem?: { readonly type: number; readonly layer: number };
}

export const DropReason = {
  NotRequest: "not a BOOTREQUEST",
  BadHardwareAddress: "hardware address length is 0 or over 16",
  Bootp: "BOOTP request (no option 53); a proxy never answers BOOTP",
  MalformedOption: "malformed option",
  NotPxeClient: "not a PXE client (option 60 does not start with PXEClient or HTTPClient)",
  MessageType: "message type is not handled on this port",
  RequestNotForUs: "REQUEST on port 67 selects the address server, not the proxy",
  NoArch: "no client architecture (option 93, or PXEClient:Arch in option 60)",
  NoRoute: "no boot file configured for this architecture and stage",
  BisRequested: "boot item asks for PXE BIS credentials (layer bit 15), not supported",
} as const;
export type DropReason = keyof typeof DropReason;

export interface DropDecision {
  readonly action: "drop";
  readonly reason: DropReason;
  /** Extra detail, e.g. which option was malformed. */
  readonly detail?: string;
  /** Present once the request was well-formed enough to classify. */
  readonly client?: Client;
}

export type Decision = ReplyDecision | DropDecision;
