/**
 * DHCP option codes this server reads or writes, their wire formats, and typed accessors over
 * the lossless option map. Accessors return `undefined` when an option is absent or malformed;
 * `checkOptionFormat` says which.
 */
import { bytesToIpv4, ipv4ToBytes } from "./ipv4.ts";
import { EncodeError } from "./errors.ts";

export const Opt = {
  Pad: 0,
  SubnetMask: 1,
  Router: 3,
  DnsServers: 6,
  VendorSpecific: 43,
  LeaseTime: 51,
  Overload: 52,
  MessageType: 53,
  ServerId: 54,
  ParamRequestList: 55,
  MaxMessageSize: 57,
  RenewalTime: 58,
  RebindingTime: 59,
  VendorClass: 60,
  ClientId: 61,
  TftpServerName: 66,
  BootfileName: 67,
  UserClass: 77,
  RelayAgentInfo: 82,
  ClientArch: 93,
  ClientNdi: 94,
  ClientGuid: 97,
  Ipxe: 175,
  End: 255,
} as const;

export const MessageType = {
  Discover: 1,
  Offer: 2,
  Request: 3,
  Decline: 4,
  Ack: 5,
  Nak: 6,
  Release: 7,
  Inform: 8,
} as const;
export type MessageType = typeof MessageType[keyof typeof MessageType];

const MESSAGE_TYPE_NAMES: Record<number, string> = {
  1: "DISCOVER",
  2: "OFFER",
  3: "REQUEST",
  4: "DECLINE",
  5: "ACK",
  6: "NAK",
  7: "RELEASE",
  8: "INFORM",
};

export function messageTypeName(type: number | undefined): string {
  if (type === undefined) return "BOOTP";
  return MESSAGE_TYPE_NAMES[type] ?? `TYPE${type}`;
}

type Format = (value: Uint8Array) => string | undefined;

const exactly = (n: number): Format => (v) =>
  v.length === n ? undefined : `length ${v.length}, expected ${n}`;
const multipleOf = (n: number): Format => (v) =>
  v.length > 0 && v.length % n === 0
    ? undefined
    : `length ${v.length}, expected a non-zero multiple of ${n}`;
const nonEmpty: Format = (v) => v.length > 0 ? undefined : "empty value";

/** Wire formats of the options that firmware validates (EDK2 `DhcpValidateOptions`, RFC 2132). */
const FORMATS: ReadonlyMap<number, Format> = new Map<number, Format>([
  [Opt.SubnetMask, exactly(4)],
  [Opt.Router, multipleOf(4)],
  [Opt.DnsServers, multipleOf(4)],
  [Opt.VendorSpecific, nonEmpty],
  [Opt.LeaseTime, exactly(4)],
  [Opt.Overload, exactly(1)],
  [Opt.MessageType, exactly(1)],
  [Opt.ServerId, exactly(4)],
  [Opt.ParamRequestList, nonEmpty],
  [Opt.MaxMessageSize, exactly(2)],
  [Opt.RenewalTime, exactly(4)],
  [Opt.RebindingTime, exactly(4)],
  [Opt.VendorClass, nonEmpty],
  [Opt.ClientId, (v) => v.length >= 2 ? undefined : `length ${v.length}, expected at least 2`],
  [Opt.TftpServerName, nonEmpty],
  [Opt.BootfileName, nonEmpty],
  [Opt.UserClass, nonEmpty],
  [
    Opt.RelayAgentInfo,
    (v) => v.length > 0 && decodeSubOptions(v, false) !== undefined ? undefined : "bad sub-options",
  ],
  [Opt.ClientArch, multipleOf(2)],
  [Opt.ClientNdi, exactly(3)],
  [
    Opt.ClientGuid,
    (v) => v.length === 17 && v[0] === 0 ? undefined : "expected type 0 and a 16-byte GUID",
  ],
  [Opt.Ipxe, nonEmpty],
]);

/** Describes why `value` is not a valid instance of option `code`, or `undefined` if it is. */
export function checkOptionFormat(code: number, value: Uint8Array): string | undefined {
  return FORMATS.get(code)?.(value);
}

/**
 * Parses a code/length/value stream. Returns undefined if malformed. Vendor blocks (43, 175) use
 * Pad and End like the options field (`padAndEnd`); relay agent sub-options (82, RFC 3046 §2.0)
 * have neither, so there 0 and 255 are ordinary codes.
 */
export function decodeSubOptions(
  value: Uint8Array,
  padAndEnd = true,
): Map<number, Uint8Array> | undefined {
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at < value.length) {
    const code = value[at];
    if (padAndEnd && code === Opt.End) return out;
    if (padAndEnd && code === Opt.Pad) {
      at++;
      continue;
    }
    if (at + 1 >= value.length) return undefined;
    const end = at + 2 + value[at + 1];
    if (end > value.length) return undefined;
    out.set(code, value.slice(at + 2, end));
    at = end;
  }
  return out;
}

/** Encodes sub-options as code/length/value, optionally closed by End (PXE 43 wants it). */
export function encodeSubOptions(
  entries: Iterable<[number, Uint8Array]>,
  withEnd: boolean,
): Uint8Array {
  const parts: number[] = [];
  for (const [code, value] of entries) {
    if (code < 0 || code > 255 || value.length > 255) {
      throw new EncodeError(`Cannot encode sub-option ${code}: code or length out of range`);
    }
    parts.push(code, value.length, ...value);
  }
  if (withEnd) parts.push(Opt.End);
  return Uint8Array.from(parts);
}

// ---- typed accessors -------------------------------------------------------------------------

type Options = ReadonlyMap<number, Uint8Array>;

function valid(options: Options, code: number): Uint8Array | undefined {
  const value = options.get(code);
  if (value === undefined || checkOptionFormat(code, value) !== undefined) return undefined;
  return value;
}

export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Option 53. */
export function getMessageType(options: Options): number | undefined {
  return valid(options, Opt.MessageType)?.[0];
}

/** Option 54. */
export function getServerId(options: Options): string | undefined {
  const v = valid(options, Opt.ServerId);
  return v && bytesToIpv4(v);
}

/** Option 55. */
export function getParamRequestList(options: Options): number[] | undefined {
  const v = valid(options, Opt.ParamRequestList);
  return v && Array.from(v);
}

/** Option 57. */
export function getMaxMessageSize(options: Options): number | undefined {
  const v = valid(options, Opt.MaxMessageSize);
  return v && (v[0] << 8 | v[1]);
}

/** Option 60 as text. */
export function getVendorClass(options: Options): string | undefined {
  const v = valid(options, Opt.VendorClass);
  return v && latin1(v);
}

/** Option 61: type byte and identifier. */
export function getClientId(options: Options): { type: number; id: Uint8Array } | undefined {
  const v = valid(options, Opt.ClientId);
  return v && { type: v[0], id: v.slice(1) };
}

/** Option 66 as text. */
export function getTftpServerName(options: Options): string | undefined {
  const v = valid(options, Opt.TftpServerName);
  return v && latin1(v);
}

/** Option 67 as text, without a trailing NUL some servers add. */
export function getBootfileName(options: Options): string | undefined {
  const v = valid(options, Opt.BootfileName);
  return v && latin1(v).replace(/\0+$/, "");
}

/**
 * Option 77. iPXE sends the bare string (protocol.md §1, pitfall 19); RFC 3004 wants
 * length-prefixed instances. `classes` holds the RFC 3004 instances when the bytes parse that way
 * exactly, else the whole value as one class.
 */
export function getUserClass(options: Options): { raw: string; classes: string[] } | undefined {
  const v = valid(options, Opt.UserClass);
  if (v === undefined) return undefined;
  const raw = latin1(v);
  const classes: string[] = [];
  let at = 0;
  while (at < v.length) {
    const length = v[at];
    if (length === 0 || at + 1 + length > v.length) return { raw, classes: [raw] };
    classes.push(latin1(v.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return { raw, classes };
}

/** Option 82 sub-options (RFC 3046). */
export function getRelayAgentInfo(options: Options): Map<number, Uint8Array> | undefined {
  const v = valid(options, Opt.RelayAgentInfo);
  return v && decodeSubOptions(v, false);
}

/** Option 93: the list of client architecture types (RFC 4578 §2.1). */
export function getClientArchs(options: Options): number[] | undefined {
  const v = valid(options, Opt.ClientArch);
  if (v === undefined) return undefined;
  const archs: number[] = [];
  for (let i = 0; i < v.length; i += 2) archs.push(v[i] << 8 | v[i + 1]);
  return archs;
}

/** Option 94: UNDI version. */
export function getClientNdi(
  options: Options,
): { type: number; major: number; minor: number } | undefined {
  const v = valid(options, Opt.ClientNdi);
  return v && { type: v[0], major: v[1], minor: v[2] };
}

/** Option 97: the 16-byte machine GUID as lowercase hex (type byte 0 checked). */
export function getClientGuid(options: Options): string | undefined {
  const v = valid(options, Opt.ClientGuid);
  return v && hex(v.subarray(1));
}

/** Option 175: iPXE's encapsulated settings (feature flags, bus id, version). */
export function getIpxeOptions(options: Options): Map<number, Uint8Array> | undefined {
  const v = valid(options, Opt.Ipxe);
  return v && decodeSubOptions(v);
}

export function hex(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

// ---- value builders ---------------------------------------------------------------------------

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value);
}

export function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8 & 0xff, value & 0xff);
}

export function ipv4(value: string): Uint8Array {
  return ipv4ToBytes(value);
}
