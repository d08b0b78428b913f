/**
 * Mutations of real firmware packets: what broken ROMs, relays and hostile senders produce
 * (bit flips, truncation, wrong option lengths, repeated and overlong options, option overload
 * loops, garbage in 43, odd 93, wrong 97 type) applied to the public fixtures.
 */
import type { Prng } from "./prng.ts";
import {
  FILE_OFFSET,
  joinPacket,
  type RawOption,
  type RawPacket,
  SNAME_OFFSET,
  splitPacket,
  tlvBytes,
} from "./wire.ts";

type Mutator = (packet: RawPacket, rng: Prng) => void;

const ASCII = (text: string) => new TextEncoder().encode(text);

const VENDOR_CLASSES = [
  "PXEClient",
  "PXEClient:Arch:00000:UNDI:002001",
  "PXEClient:Arch:00007:UNDI:003016",
  "PXEClient:Arch:00011:UNDI:003016",
  "PXEClient:Arch:0001b:UNDI:003000",
  "PXEClient:Arch:99999:UNDI:003016",
  "PXEClient:Arch:",
  "HTTPClient:Arch:00016:UNDI:003000",
  "HTTPClient",
  "pxeclient",
  "U-Boot.armv8",
  "MSFT 5.0",
];

const ARCHES = [0, 1, 6, 7, 9, 10, 11, 15, 16, 19, 21, 22, 27, 41, 42, 0xffff];

function option(packet: RawPacket, code: number): RawOption | undefined {
  return packet.options.find((o) => o.code === code);
}

function setOption(packet: RawPacket, code: number, value: Uint8Array): void {
  const existing = option(packet, code);
  if (existing) {
    existing.value = value;
    existing.lengthOverride = undefined;
  } else {
    packet.options.splice(packetIndex(packet), 0, { code, value });
  }
}

/** A random insertion point among the options. */
function packetIndex(packet: RawPacket, rng?: Prng): number {
  return rng ? rng.int(packet.options.length + 1) : packet.options.length;
}

function randomSubOptions(rng: Prng, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const length = rng.int(8);
    out.push(rng.pick([1, 6, 7, 8, 9, 10, 71, 255, 0, rng.int(256)]), length);
    out.push(...rng.bytes(rng.chance(0.2) ? length + rng.range(-2, 2) : length));
  }
  return out;
}

const MUTATORS: Mutator[] = [
  // Bit flips anywhere in the header.
  (p, rng) => {
    for (let i = rng.range(1, 4); i > 0; i--) p.head[rng.int(236)] ^= 1 << rng.int(8);
  },
  // A bit flip inside one option value.
  (p, rng) => {
    const o = p.options.length ? rng.pick(p.options) : undefined;
    if (o && o.value.length) o.value[rng.int(o.value.length)] ^= 1 << rng.int(8);
  },
  // Option length corruption: the length byte lies.
  (p, rng) => {
    if (p.options.length) rng.pick(p.options).lengthOverride = rng.int(256);
  },
  // A repeated option: RFC 3396 concatenation changes its length (53 twice → 2 bytes).
  (p, rng) => {
    if (!p.options.length) return;
    const o = rng.pick(p.options);
    p.options.splice(packetIndex(p, rng), 0, { code: o.code, value: o.value.slice() });
  },
  // Overlong option, split over several instances (RFC 3396), of a code the router reads.
  (p, rng) => {
    const code = rng.pick([43, 60, 77, 82, 97, 175, 93, 55, 250]);
    const total = rng.range(200, 900);
    const value = code === 82 ? relayAgentInfo(rng, total) : rng.bytes(total);
    const at = packetIndex(p, rng);
    const parts: RawOption[] = [];
    for (let i = 0; i < value.length; i += 255) {
      parts.push({ code, value: value.subarray(i, i + 255) });
    }
    p.options = p.options.filter((o) => o.code !== code);
    p.options.splice(Math.min(at, p.options.length), 0, ...parts);
  },
  // Option overload: 52 with any value, and options (possibly another 52) in file/sname.
  (p, rng) => {
    const value = rng.chance(0.8) ? rng.range(0, 4) : rng.int(256);
    setOption(p, 52, rng.chance(0.9) ? Uint8Array.of(value) : rng.bytes(rng.int(3)));
    const inner = [
      { code: 52, value: Uint8Array.of(rng.range(1, 3)) },
      { code: 60, value: ASCII(rng.pick(VENDOR_CLASSES)) },
      { code: 93, value: Uint8Array.of(0, rng.pick(ARCHES) & 0xff) },
      { code: 67, value: ASCII("evil.efi") },
    ].filter(() => rng.chance(0.6));
    const file = tlvBytes(inner);
    if (rng.chance(0.7)) file.push(255);
    p.head.fill(0, FILE_OFFSET, FILE_OFFSET + 128);
    p.head.set(file.slice(0, 128 - rng.int(3)), FILE_OFFSET);
    if (rng.chance(0.5)) {
      p.head.fill(0, SNAME_OFFSET, SNAME_OFFSET + 64);
      p.head.set(tlvBytes([{ code: 52, value: Uint8Array.of(rng.range(0, 3)) }]), SNAME_OFFSET);
    }
  },
  // Garbage PXE sub-options in 43 (a ROM's boot item request, or nonsense).
  (p, rng) => {
    const kind = rng.int(4);
    const value = kind === 0
      ? [71, 4, rng.int(256), rng.int(256), rng.pick([0, 0x80, rng.int(256)]), rng.int(256), 255]
      : kind === 1
      ? [71, rng.int(6), ...rng.bytes(rng.int(6))]
      : kind === 2
      ? [...ASCII('"proxyDHCPd"')]
      : randomSubOptions(rng, rng.range(1, 5));
    setOption(p, 43, Uint8Array.from(value));
  },
  // Option 93 of odd, empty or long length, or a list of several arches.
  (p, rng) => {
    const kind = rng.int(3);
    const value = kind === 0 ? rng.bytes(rng.pick([0, 1, 3, 5, 7])) : kind === 1
      ? Uint8Array.from(
        Array.from({ length: rng.range(1, 4) }, () => rng.pick(ARCHES)).flatMap((a) => [
          a >> 8,
          a & 0xff,
        ]),
      )
      : Uint8Array.of(rng.int(256), rng.int(256));
    setOption(p, 93, value);
  },
  // Option 97 with a wrong type byte or a wrong length.
  (p, rng) => {
    const value = rng.bytes(rng.chance(0.5) ? 17 : rng.pick([0, 1, 16, 18, 33]));
    if (value.length === 17 && rng.chance(0.3)) value[0] = 0;
    setOption(p, 97, value);
  },
  // Another message type (RELEASE, INFORM, DECLINE, unknown) or none (BOOTP).
  (p, rng) => {
    if (rng.chance(0.15)) p.options = p.options.filter((o) => o.code !== 53);
    else setOption(p, 53, Uint8Array.of(rng.range(0, 10)));
  },
  // Another vendor class.
  (p, rng) => setOption(p, 60, ASCII(rng.pick(VENDOR_CLASSES))),
  // iPXE markers: raw or RFC 3004 user class, option 175.
  (p, rng) => {
    const kind = rng.int(4);
    if (kind === 0) setOption(p, 77, ASCII("iPXE"));
    else if (kind === 1) setOption(p, 77, Uint8Array.of(4, ...ASCII("iPXE")));
    else if (kind === 2) setOption(p, 175, Uint8Array.of(0x13, 1, 1, 0xeb, 3, 1, 0, 0));
    else setOption(p, 77, rng.bytes(rng.int(12)));
  },
  // Relay agent information (valid or not), and a relay address.
  (p, rng) => {
    setOption(p, 82, rng.chance(0.8) ? relayAgentInfo(rng, rng.range(3, 120)) : rng.bytes(5));
    if (rng.chance(0.5)) p.head.set(rng.bytes(4), 24);
  },
  // Maximum message size, sometimes below the legal 576 or malformed.
  (p, rng) => {
    const size = rng.pick([0, 300, 576, 577, 1024, 1472, 65535, rng.int(65536)]);
    setOption(p, 57, rng.chance(0.9) ? Uint8Array.of(size >> 8, size & 0xff) : rng.bytes(3));
  },
  // op, htype and hlen out of the ordinary.
  (p, rng) => {
    p.head[0] = rng.pick([0, 1, 2, 3, 255]);
    p.head[1] = rng.pick([0, 1, 6, 32, 255]);
    p.head[2] = rng.pick([0, 6, 16, 17, 255]);
  },
  // Option removal.
  (p, rng) => {
    if (p.options.length) p.options.splice(rng.int(p.options.length), 1);
  },
  // No End, or junk after End.
  (p, rng) => {
    p.end = rng.chance(0.5);
    p.tail = rng.bytes(rng.int(40));
  },
];

/** A valid RFC 3046 sub-option list of about `length` bytes. */
function relayAgentInfo(rng: Prng, length: number): Uint8Array {
  const out: number[] = [];
  while (out.length + 2 < length) {
    const size = Math.min(rng.int(40), length - out.length - 2);
    out.push(rng.range(1, 12), size, ...rng.bytes(size));
  }
  return Uint8Array.from(out.length ? out : [1, 0]);
}

/** 1–4 structural mutations, then occasionally raw truncation or byte noise. */
export function mutateFixture(bytes: Uint8Array, rng: Prng): Uint8Array {
  const packet = splitPacket(bytes);
  for (let i = rng.range(1, 4); i > 0; i--) rng.pick(MUTATORS)(packet, rng);
  let out = joinPacket(packet);
  if (rng.chance(0.1)) out = out.subarray(0, rng.int(out.length + 1));
  if (rng.chance(0.1)) {
    for (let i = rng.range(1, 8); i > 0; i--) {
      if (out.length) out[rng.int(out.length)] = rng.int(256);
    }
  }
  return out;
}

/** Random bytes; half of them with the magic cookie so decoding gets past the header. */
export function randomBytes(rng: Prng): Uint8Array {
  const out = rng.bytes(rng.int(700));
  if (out.length >= 240 && rng.chance(0.5)) {
    out.set([99, 130, 83, 99], 236);
    out[0] = 1;
    out[2] = rng.int(17);
  }
  return out;
}
