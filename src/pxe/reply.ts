/** Builds the reply packet for a decision (protocol.md §2, §4, §7). Pure. */
import type { Config } from "../config/model.ts";
import {
  BOOTREPLY,
  type DhcpPacket,
  encodedLength,
  FLAG_BROADCAST,
  type OptionMap,
} from "../dhcp/packet.ts";
import { getMaxMessageSize, ipv4, latin1Bytes, MessageType, Opt, u8 } from "../dhcp/options.ts";
import { Discovery, encodePxeOptions, type PxeOptions } from "../dhcp/pxe_options.ts";
import { ANY } from "../dhcp/ipv4.ts";
import { HTTP_VENDOR, PXE_VENDOR } from "./classify.ts";
import type { ReplyDecision } from "./decision.ts";

/** The address the client reaches us at: option 54, and siaddr when no next server is set. */
export interface ServerIdentity {
  readonly address: string;
}

const RPI_MENU: PxeOptions = {
  bootMenu: [{ type: 0, description: "Raspberry Pi Boot" }],
  menuPrompt: { timeout: 0, text: "PXE" },
};

export function buildReply(
  request: DhcpPacket,
  decision: ReplyDecision,
  server: ServerIdentity,
  config: Config,
): DhcpPacket {
  const { recipe, client } = decision;
  const isOffer = decision.action === "offer";
  // BINL: siaddr must be us, since EDK2 sends its 4011 request to siaddr first (pitfall 3).
  const nextServer = recipe === "binl" ? server.address : decision.nextServer ?? server.address;
  const file = recipe === "binl" ? "" : fileField(decision);

  const options: OptionMap = new Map();
  // Option 53 first: the safest order for old ROMs (protocol.md §2.2).
  options.set(Opt.MessageType, u8(isOffer ? MessageType.Offer : MessageType.Ack));
  // EDK2 drops offers without 54, iPXE checks 54 of the 4011 ACK (pitfalls 1 and 6).
  options.set(Opt.ServerId, ipv4(server.address));
  options.set(Opt.VendorClass, latin1Bytes(client.stage === "http" ? HTTP_VENDOR : PXE_VENDOR));
  const pxe = pxeOptionsFor(decision);
  if (pxe !== undefined) options.set(Opt.VendorSpecific, withExtras(pxe, config));
  if (file !== "") {
    // Header fields and 66/67 agree: EDK2 prefers 67, iPXE and U-Boot read the header (§2.1).
    options.set(Opt.TftpServerName, latin1Bytes(nextServer));
    options.set(Opt.BootfileName, latin1Bytes(file));
  }
  const guid = request.options.get(Opt.ClientGuid);
  if (guid !== undefined) options.set(Opt.ClientGuid, guid);
  const agentInfo = request.options.get(Opt.RelayAgentInfo);
  if (agentInfo !== undefined) options.set(Opt.RelayAgentInfo, agentInfo); // RFC 3046 echo

  const reply: DhcpPacket = {
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    // Offers are broadcast (the client has no address yet); dnsmasq forces the flag too.
    flags: isOffer ? request.flags | FLAG_BROADCAST : request.flags,
    ciaddr: isOffer ? ANY : request.ciaddr,
    yiaddr: ANY, // a proxy never hands out an address
    siaddr: nextServer,
    giaddr: request.giaddr,
    chaddr: request.chaddr.slice(),
    sname: nextServer,
    file,
    options,
  };
  fitToClient(reply, request, pxe);
  return reply;
}

/** IPv4 (20) and UDP (8) headers: option 57 and the 576 default count the whole datagram. */
const IP_UDP_HEADERS = 28;
/** RFC 2131 §2: every client accepts 576-byte datagrams; 57 may only raise that. */
const MIN_DATAGRAM = 576;

/**
 * Keeps the reply within what the client accepts (option 57, at least 576; RFC 2132 §9.10) by
 * shedding what is redundant: 66 and 67 repeat sname and file, and the configured extra PXE
 * sub-options are optional. Option 82 is not counted: the relay strips it (RFC 3046 §2.2).
 */
function fitToClient(reply: DhcpPacket, request: DhcpPacket, pxe: PxeOptions | undefined): void {
  const asked = getMaxMessageSize(request.options) ?? 0;
  const budget = Math.max(asked, MIN_DATAGRAM) - IP_UDP_HEADERS;
  const agentInfo = reply.options.get(Opt.RelayAgentInfo);
  const agentBytes = agentInfo === undefined
    ? 0
    : 2 * Math.ceil(agentInfo.length / 255) + agentInfo.length;
  const fits = () => encodedLength(reply) - agentBytes <= budget;
  if (fits()) return;
  reply.options.delete(Opt.TftpServerName);
  if (fits()) return;
  reply.options.delete(Opt.BootfileName);
  if (fits() || pxe === undefined) return;
  reply.options.set(Opt.VendorSpecific, encodePxeOptions(pxe));
}

function pxeOptionsFor(decision: ReplyDecision): PxeOptions | undefined {
  switch (decision.recipe) {
    case "direct":
      // Bit 3: boot the file in this offer, no menu, prompt or discovery (§5).
      return {
        discoveryControl: Discovery.UseBootFile,
        ...(decision.raspberryPiMenu ? RPI_MENU : {}),
      };
    case "boot-item":
      return { bootItem: decision.bootItem };
    default:
      // binl, ipxe, http and the plain ACK carry no 43: EDK2 would read a 43 in an offer as
      // PXE10 and EFI iPXE has no menu code (pitfalls 2 and 7).
      return undefined;
  }
}

function withExtras(pxe: PxeOptions, config: Config): Uint8Array {
  const encoded = encodePxeOptions(pxe);
  const extra = config.extraPxeSubOptions;
  if (extra === undefined || extra.length === 0) return encoded;
  const out = new Uint8Array(encoded.length + extra.length);
  out.set(encoded.subarray(0, encoded.length - 1)); // drop End, append extras, End again
  out.set(extra, encoded.length - 1);
  out[out.length - 1] = Opt.End;
  return out;
}

/** Firmware TFTP clients want a path, not a URL; iPXE and HTTP boot take URLs as they are. */
function fileField(decision: ReplyDecision): string {
  const file = decision.bootFile;
  if (decision.client.stage !== "firmware") return file;
  const match = /^tftp:\/\/[^/]+\/(.*)$/i.exec(file);
  return match ? match[1] : file;
}
