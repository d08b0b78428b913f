/**
 * fast-check arbitraries shared by the fuzzer and the property tests: valid packet models (every
 * known option in its wire format), PXE clients asking on both ports, and structure-aware
 * requests with a few options replaced by arbitrary bytes.
 */
import fc from "fast-check";
import type { DhcpPacket } from "../../src/dhcp/packet.ts";
import { encodePacket } from "../../src/dhcp/packet.ts";
import { Opt } from "../../src/dhcp/options.ts";
import { joinPacket, splitPacket } from "./wire.ts";

const byte = fc.integer({ min: 0, max: 255 });
/** Short lengths most of the time (fast-check's default bias), any length up to max otherwise. */
const bytes = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.uint8Array({ minLength, maxLength }),
    fc.uint8Array({ minLength, maxLength, size: "max" }),
  );

export const ipv4Address: fc.Arbitrary<string> = fc.tuple(byte, byte, byte, byte)
  .map((octets) => octets.join("."));

/** Text as the codec reads sname/file: latin1, no NUL. */
export const latin1Text = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(fc.integer({ min: 1, max: 255 }), { maxLength }),
    fc.array(fc.integer({ min: 1, max: 255 }), { maxLength, size: "max" }),
  ).map((codes) => String.fromCharCode(...codes));

/** RFC 3046 sub-options: code, length, value, nothing else. */
const relayAgentInfo: fc.Arbitrary<Uint8Array> = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 254 }), bytes(0, 30)),
  { minLength: 1, maxLength: 5 },
).map((subs) => Uint8Array.from(subs.flatMap(([code, v]) => [code, v.length, ...v])));

/** A value in the format `checkOptionFormat` demands for each code it knows. */
const KNOWN_VALUES: ReadonlyMap<number, fc.Arbitrary<Uint8Array>> = new Map([
  [Opt.SubnetMask, bytes(4, 4)],
  [Opt.Router, fc.integer({ min: 1, max: 4 }).chain((n) => bytes(4 * n, 4 * n))],
  [Opt.DnsServers, fc.integer({ min: 1, max: 4 }).chain((n) => bytes(4 * n, 4 * n))],
  [Opt.VendorSpecific, bytes(1, 300)],
  [Opt.LeaseTime, bytes(4, 4)],
  [Opt.MessageType, bytes(1, 1)],
  [Opt.ServerId, bytes(4, 4)],
  [Opt.ParamRequestList, bytes(1, 60)],
  [Opt.MaxMessageSize, bytes(2, 2)],
  [Opt.RenewalTime, bytes(4, 4)],
  [Opt.RebindingTime, bytes(4, 4)],
  [Opt.VendorClass, bytes(1, 80)],
  [Opt.ClientId, bytes(2, 20)],
  [Opt.TftpServerName, bytes(1, 64)],
  [Opt.BootfileName, bytes(1, 128)],
  [Opt.UserClass, bytes(1, 40)],
  [Opt.RelayAgentInfo, relayAgentInfo],
  [Opt.ClientArch, fc.integer({ min: 1, max: 4 }).chain((n) => bytes(2 * n, 2 * n))],
  [Opt.ClientNdi, bytes(3, 3)],
  [Opt.ClientGuid, bytes(16, 16).map((g) => Uint8Array.of(0, ...g))],
  [Opt.Ipxe, bytes(1, 60)],
]);

/** Codes without a format: anything but Pad, End, overload (52) and the known ones. */
const unknownCode = fc.integer({ min: 1, max: 254 })
  .filter((code) => code !== Opt.Overload && !KNOWN_VALUES.has(code));

const anyOption: fc.Arbitrary<[number, Uint8Array]> = fc.oneof(
  fc.constantFrom(...KNOWN_VALUES.keys()).chain((code) =>
    KNOWN_VALUES.get(code)!.map((value): [number, Uint8Array] => [code, value])
  ),
  fc.tuple(unknownCode, bytes(0, 600)),
);

/** Any message `encodePacket` accepts, as a model; options longer than 255 bytes included. */
export const packetModel: fc.Arbitrary<DhcpPacket> = fc.record({
  op: byte,
  htype: byte,
  hlen: fc.integer({ min: 0, max: 16 }),
  hops: byte,
  xid: fc.integer({ min: 0, max: 0xffffffff }),
  secs: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  ciaddr: ipv4Address,
  yiaddr: ipv4Address,
  siaddr: ipv4Address,
  giaddr: ipv4Address,
  chaddr: bytes(16, 16),
  sname: latin1Text(63),
  file: latin1Text(127),
  options: fc.uniqueArray(anyOption, { selector: ([code]) => code, maxLength: 14 })
    .map((entries) => new Map(entries)),
}, { noNullPrototype: true });

// ---- PXE clients ----------------------------------------------------------------------------

/** Arches a client may claim: configured ones, unconfigured ones, and nonsense. */
const CLIENT_ARCHES = [0, 6, 7, 9, 10, 11, 15, 16, 19, 21, 22, 27, 41, 42, 1000, 0xffff];

export type ClientFlavour = "firmware" | "ipxe-raw" | "ipxe-rfc3004" | "ipxe-175" | "http";

export interface PxeClientCase {
  readonly flavour: ClientFlavour;
  /** DHCPDISCOVER as sent to udp/67. */
  readonly discover: DhcpPacket;
  /** The same client's REQUEST to udp/4011 (new xid and ciaddr, as EDK2 sends it). */
  readonly request: DhcpPacket;
}

const ascii = (text: string) => new TextEncoder().encode(text);

export const pxeClient: fc.Arbitrary<PxeClientCase> = fc.record({
  flavour: fc.constantFrom<ClientFlavour>(
    "firmware",
    "ipxe-raw",
    "ipxe-rfc3004",
    "ipxe-175",
    "http",
  ),
  mac: bytes(6, 6),
  arches: fc.array(fc.constantFrom(...CLIENT_ARCHES), { minLength: 1, maxLength: 3 }),
  /** 93 absent: the arch then comes from option 60, if at all. */
  omit93: fc.boolean().chain((b) => b ? fc.boolean() : fc.constant(false)),
  /** The 4011 REQUEST without 93, 94 and 55, as the Raspberry Pi 4 bootloader sends it. */
  requestWithout93: fc.boolean().chain((b) => b ? fc.boolean() : fc.constant(false)),
  bareVendor: fc.boolean(),
  undi: fc.constantFrom("002001", "003000", "003010", "003016"),
  guid: fc.option(bytes(16, 16), { nil: undefined }),
  agent: fc.option(relayAgentInfo, { nil: undefined }),
  maxSize: fc.option(fc.constantFrom(576, 1024, 1260, 1472, 65280), { nil: undefined }),
  ndi: fc.boolean(),
  giaddr: fc.oneof(fc.constant("0.0.0.0"), ipv4Address),
  broadcast: fc.boolean(),
  xid: fc.integer({ min: 0, max: 0xffffffff }),
  requestXid: fc.integer({ min: 0, max: 0xffffffff }),
  ciaddr: ipv4Address,
  /** A BIOS ROM's 4011 REQUEST names boot item 0x8000 layer 0 in 43.71. */
  bootItem: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 0x7fff }), weight: 1 },
  ),
}, { noNullPrototype: true }).map((c): PxeClientCase => {
  const arch = c.arches[0];
  const vendorPrefix = c.flavour === "http" ? "HTTPClient" : "PXEClient";
  const vendor = c.bareVendor
    ? vendorPrefix
    : `${vendorPrefix}:Arch:${String(arch).padStart(5, "0")}:UNDI:${c.undi}`;
  const options = new Map<number, Uint8Array>();
  if (c.maxSize !== undefined) {
    options.set(Opt.MaxMessageSize, Uint8Array.of(c.maxSize >> 8, c.maxSize & 0xff));
  }
  if (!c.omit93) {
    options.set(Opt.ClientArch, Uint8Array.from(c.arches.flatMap((a) => [a >> 8, a & 0xff])));
  }
  if (c.ndi) options.set(Opt.ClientNdi, Uint8Array.of(1, 3, 16));
  options.set(Opt.VendorClass, ascii(vendor));
  if (c.flavour === "ipxe-raw") options.set(Opt.UserClass, ascii("iPXE"));
  if (c.flavour === "ipxe-rfc3004") options.set(Opt.UserClass, Uint8Array.of(4, ...ascii("iPXE")));
  if (c.flavour === "ipxe-175") options.set(Opt.Ipxe, Uint8Array.of(0x13, 1, 1, 0xeb, 3, 1, 0, 0));
  options.set(Opt.ParamRequestList, Uint8Array.of(1, 3, 6, 43, 60, 66, 67, 97));
  if (c.guid !== undefined) options.set(Opt.ClientGuid, Uint8Array.of(0, ...c.guid));
  if (c.agent !== undefined) options.set(Opt.RelayAgentInfo, c.agent);

  const chaddr = new Uint8Array(16);
  chaddr.set(c.mac);
  const base = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    secs: 4,
    flags: c.broadcast ? 0x8000 : 0,
    yiaddr: "0.0.0.0",
    siaddr: "0.0.0.0",
    giaddr: c.giaddr,
    chaddr,
    sname: "",
    file: "",
  };
  const discover: DhcpPacket = {
    ...base,
    xid: c.xid,
    ciaddr: "0.0.0.0",
    options: new Map([[Opt.MessageType, Uint8Array.of(1)], ...options]),
  };
  const requestOptions = new Map([[Opt.MessageType, Uint8Array.of(3)], ...options]);
  // Only a client whose option 60 names its one arch can leave 93 out later (RPi 4 does).
  if (c.requestWithout93 && !c.bareVendor && c.arches.length === 1) {
    for (const code of [Opt.ClientArch, Opt.ClientNdi, Opt.ParamRequestList]) {
      requestOptions.delete(code);
    }
  }
  if (c.bootItem !== undefined) {
    const t = c.bootItem;
    requestOptions.set(Opt.VendorSpecific, Uint8Array.of(71, 4, t >> 8, t & 0xff, 0, 0, 255));
  }
  const request: DhcpPacket = {
    ...base,
    chaddr: chaddr.slice(),
    xid: c.requestXid,
    ciaddr: c.ciaddr,
    options: requestOptions,
  };
  return { flavour: c.flavour, discover, request };
});

/**
 * Bytes of a PXE DISCOVER or REQUEST in which up to three options (router-relevant codes,
 * including overload 52) were replaced, added or given a lying length.
 */
export const structuredRequestBytes: fc.Arbitrary<Uint8Array> = fc.record({
  client: pxeClient,
  useRequest: fc.boolean(),
  changes: fc.array(
    fc.record({
      code: fc.constantFrom(43, 52, 53, 54, 55, 57, 60, 61, 77, 82, 93, 94, 97, 175, 0, 255),
      value: fc.uint8Array({ maxLength: 40 }),
      // A lying length byte mostly ends decoding early, so keep it rare.
      lengthOverride: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 9 },
        { arbitrary: byte, weight: 1 },
      ),
    }, { noNullPrototype: true }),
    { maxLength: 3 },
  ),
}, { noNullPrototype: true }).map(({ client, useRequest, changes }) => {
  const raw = splitPacket(encodePacket(useRequest ? client.request : client.discover));
  for (const { code, value, lengthOverride } of changes) {
    const existing = raw.options.find((o) => o.code === code);
    if (existing) Object.assign(existing, { value, lengthOverride });
    else raw.options.push({ code, value, lengthOverride });
  }
  return joinPacket(raw);
});
