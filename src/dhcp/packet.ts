/**
 * BOOTP/DHCPv4 message codec (RFC 951, RFC 2131, RFC 2132, RFC 3396). Pure: bytes in, bytes out.
 *
 * The option map is lossless: it keeps every option, known or not, in first-seen order. Repeated
 * codes are concatenated on decode (RFC 3396 §7) and long values split on encode.
 */
import { DecodeError, EncodeError } from "./errors.ts";
import { bytesToIpv4, ipv4ToBytes, isIpv4 } from "./ipv4.ts";
import { checkOptionFormat, Opt } from "./options.ts";

/** Option code → value, in first-seen order. Pad (0) and End (255) are never stored. */
export type OptionMap = Map<number, Uint8Array>;

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The whole 16-byte chaddr field; the MAC is the first `hlen` bytes. */
  chaddr: Uint8Array;
  /** Text up to the first NUL (latin1, so every byte survives). */
  sname: string;
  file: string;
  options: OptionMap;
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const FLAG_BROADCAST = 0x8000;

const HEADER_LENGTH = 236;
const COOKIE = 0x63825363;
const OPTIONS_START = HEADER_LENGTH + 4;
/** RFC 951 minimum; some relays drop shorter messages (protocol.md §2.1). */
export const BOOTP_MIN_LENGTH = 300;
const SNAME_OFFSET = 44;
const SNAME_LENGTH = 64;
const FILE_OFFSET = 108;
const FILE_LENGTH = 128;

const OVERLOAD_FILE = 1;
const OVERLOAD_SNAME = 2;

/** Decodes one datagram. Throws only `DecodeError`. */
export function decodePacket(bytes: Uint8Array): DhcpPacket {
  if (bytes.length < OPTIONS_START) {
    throw new DecodeError(
      `Message too short (${bytes.length} bytes, need ${OPTIONS_START})`,
      bytes.length,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(HEADER_LENGTH) !== COOKIE) {
    throw new DecodeError("Missing DHCP magic cookie", HEADER_LENGTH);
  }
  const hlen = bytes[2];
  if (hlen > 16) throw new DecodeError(`Hardware address length ${hlen} exceeds 16`, 2);

  const options: OptionMap = new Map();
  const overloadAt = readOptions(bytes, OPTIONS_START, bytes.length, options, true);

  let sname = readText(bytes, SNAME_OFFSET, SNAME_LENGTH);
  let file = readText(bytes, FILE_OFFSET, FILE_LENGTH);
  const overload = options.get(Opt.Overload);
  if (overload !== undefined) {
    // RFC 2131 §4.1: the file field is read before sname. Options found there are not searched
    // for another 52, so a hostile overload cannot loop.
    if (overload.length !== 1 || overload[0] < 1 || overload[0] > 3) {
      throw new DecodeError("Malformed option overload (52)", overloadAt);
    }
    options.delete(Opt.Overload);
    if (overload[0] & OVERLOAD_FILE) {
      readOptions(bytes, FILE_OFFSET, FILE_OFFSET + FILE_LENGTH, options, false);
      file = "";
    }
    if (overload[0] & OVERLOAD_SNAME) {
      readOptions(bytes, SNAME_OFFSET, SNAME_OFFSET + SNAME_LENGTH, options, false);
      sname = "";
    }
  }

  return {
    op: bytes[0],
    htype: bytes[1],
    hlen,
    hops: bytes[3],
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags: view.getUint16(10),
    ciaddr: bytesToIpv4(bytes, 12),
    yiaddr: bytesToIpv4(bytes, 16),
    siaddr: bytesToIpv4(bytes, 20),
    giaddr: bytesToIpv4(bytes, 24),
    chaddr: bytes.slice(28, 44),
    sname,
    file,
    options,
  };
}

/**
 * Reads options into `into`; returns where the first option 52 starts (or -1). Outside the main
 * options field (`main` false) a 52 is skipped: overload cannot be nested.
 */
function readOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
  into: OptionMap,
  main: boolean,
): number {
  let overloadAt = -1;
  let at = start;
  while (at < end) {
    const code = bytes[at];
    if (code === Opt.End) return overloadAt;
    if (code === Opt.Pad) {
      at++;
      continue;
    }
    if (at + 1 >= end) throw new DecodeError(`Option ${code} has no length byte`, at);
    const length = bytes[at + 1];
    const valueEnd = at + 2 + length;
    if (valueEnd > end) {
      throw new DecodeError(`Option ${code} length ${length} runs past the end`, at);
    }
    if (code === Opt.Overload) {
      if (!main) {
        at = valueEnd;
        continue;
      }
      if (overloadAt < 0) overloadAt = at;
    }
    const value = bytes.subarray(at + 2, valueEnd);
    const previous = into.get(code);
    if (previous === undefined) {
      into.set(code, value.slice());
    } else {
      // RFC 3396 §7: a repeated option continues the previous instance.
      const joined = new Uint8Array(previous.length + length);
      joined.set(previous);
      joined.set(value, previous.length);
      into.set(code, joined);
    }
    at = valueEnd;
  }
  // A missing End option is tolerated: some ROMs stop at the end of the datagram.
  return overloadAt;
}

function readText(bytes: Uint8Array, offset: number, length: number): string {
  let text = "";
  for (let i = offset; i < offset + length; i++) {
    const c = bytes[i];
    if (c === 0) break;
    text += String.fromCharCode(c);
  }
  return text;
}

/** Number of bytes `encodePacket` will produce. */
export function encodedLength(packet: DhcpPacket): number {
  let length = OPTIONS_START + 1; // header, cookie, End
  for (const value of packet.options.values()) {
    length += Math.max(1, Math.ceil(value.length / 255)) * 2 + value.length;
  }
  return Math.max(length, BOOTP_MIN_LENGTH);
}

/**
 * Encodes a message. Refuses (EncodeError) what real firmware drops whole: a known option with
 * the wrong length (EDK2 `DhcpValidateOptions`, protocol.md pitfall 17), an sname or file without
 * room for its NUL, or option overload.
 */
export function encodePacket(packet: DhcpPacket): Uint8Array {
  if (packet.hlen > 16) throw new EncodeError(`Cannot encode hlen ${packet.hlen}: at most 16`);
  for (const field of ["ciaddr", "yiaddr", "siaddr", "giaddr"] as const) {
    if (!isIpv4(packet[field])) {
      throw new EncodeError(`Cannot encode ${field} ${JSON.stringify(packet[field])}`);
    }
  }
  const out = new Uint8Array(encodedLength(packet));
  const view = new DataView(out.buffer);
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  view.setUint32(4, packet.xid >>> 0);
  view.setUint16(8, packet.secs);
  view.setUint16(10, packet.flags);
  ipv4ToBytes(packet.ciaddr, out, 12);
  ipv4ToBytes(packet.yiaddr, out, 16);
  ipv4ToBytes(packet.siaddr, out, 20);
  ipv4ToBytes(packet.giaddr, out, 24);
  out.set(packet.chaddr.subarray(0, 16), 28);
  writeText(out, SNAME_OFFSET, SNAME_LENGTH, packet.sname, "sname");
  writeText(out, FILE_OFFSET, FILE_LENGTH, packet.file, "file");
  view.setUint32(HEADER_LENGTH, COOKIE);

  let at = OPTIONS_START;
  let agentInfo: Uint8Array | undefined;
  for (const [code, value] of packet.options) {
    if (code === Opt.RelayAgentInfo) {
      agentInfo = value; // RFC 3046 §2.1: the relay agent option comes last.
      continue;
    }
    at = writeOption(out, at, code, value);
  }
  if (agentInfo !== undefined) at = writeOption(out, at, Opt.RelayAgentInfo, agentInfo);
  out[at] = Opt.End;
  return out;
}

function writeOption(out: Uint8Array, at: number, code: number, value: Uint8Array): number {
  if (code === Opt.Pad || code === Opt.End || code > 255 || code < 0) {
    throw new EncodeError(`Cannot encode option code ${code}`);
  }
  if (code === Opt.Overload) throw new EncodeError("Cannot encode option overload (52)");
  const problem = checkOptionFormat(code, value);
  if (problem !== undefined) throw new EncodeError(`Cannot encode option ${code}: ${problem}`);
  let offset = 0;
  do {
    // RFC 3396: values longer than 255 bytes travel as consecutive instances.
    const chunk = Math.min(255, value.length - offset);
    out[at++] = code;
    out[at++] = chunk;
    out.set(value.subarray(offset, offset + chunk), at);
    at += chunk;
    offset += chunk;
  } while (offset < value.length);
  return at;
}

function writeText(out: Uint8Array, offset: number, size: number, text: string, field: string) {
  // One byte is kept for the NUL: dnsmasq forces it for "buggy PXE" ROMs (protocol.md §2.1).
  if (text.length > size - 1) {
    throw new EncodeError(`Cannot encode ${field}: ${text.length} bytes, at most ${size - 1}`);
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 255) throw new EncodeError(`Cannot encode ${field}: byte ${c} at ${i}`);
    out[offset + i] = c;
  }
}
