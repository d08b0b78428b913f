/**
 * Raw, forgiving view of a DHCP datagram for mutation: the fixed header plus the options field
 * as a list of code/value pairs. Unlike the codec it never validates, so a mutated list can be
 * written back with any lengths, repeats and codes the mutators choose.
 */

export const HEADER_LENGTH = 236;
export const OPTIONS_START = 240;
export const SNAME_OFFSET = 44;
export const FILE_OFFSET = 108;
const COOKIE = [99, 130, 83, 99];

export interface RawOption {
  code: number;
  value: Uint8Array;
  /** Written as this length byte instead of value.length (length corruption). */
  lengthOverride?: number;
}

export interface RawPacket {
  /** Header and cookie, 240 bytes. */
  head: Uint8Array;
  options: RawOption[];
  /** Bytes after End (or after the last parsable option), kept verbatim. */
  tail: Uint8Array;
  /** Whether to write End after the options. */
  end: boolean;
}

/** Splits a datagram of at least 240 bytes; stops at End or at the first unparsable option. */
export function splitPacket(bytes: Uint8Array): RawPacket {
  const head = new Uint8Array(OPTIONS_START);
  head.set(bytes.subarray(0, OPTIONS_START));
  const options: RawOption[] = [];
  let at = OPTIONS_START;
  let end = false;
  while (at < bytes.length) {
    const code = bytes[at];
    if (code === 255) {
      end = true;
      at++;
      break;
    }
    if (code === 0) {
      at++;
      continue;
    }
    if (at + 1 >= bytes.length || at + 2 + bytes[at + 1] > bytes.length) break;
    options.push({ code, value: bytes.slice(at + 2, at + 2 + bytes[at + 1]) });
    at += 2 + bytes[at + 1];
  }
  return { head, options, tail: bytes.slice(at), end };
}

/** Writes the packet back; values over 255 bytes are written with a wrapped length byte. */
export function joinPacket(packet: RawPacket): Uint8Array {
  const parts: number[] = [];
  for (const { code, value, lengthOverride } of packet.options) {
    parts.push(code, lengthOverride ?? value.length & 0xff);
    for (const b of value) parts.push(b);
  }
  if (packet.end) parts.push(255);
  const out = new Uint8Array(OPTIONS_START + parts.length + packet.tail.length);
  out.set(packet.head);
  out.set(parts, OPTIONS_START);
  out.set(packet.tail, OPTIONS_START + parts.length);
  return out;
}

/** A BOOTREQUEST header with the cookie; callers fill in the rest. */
export function blankHead(): Uint8Array {
  const head = new Uint8Array(OPTIONS_START);
  head.set([1, 1, 6, 0]);
  head.set(COOKIE, HEADER_LENGTH);
  return head;
}

/** code, length, value for a list of options, as written into file/sname when overloaded. */
export function tlvBytes(options: readonly { code: number; value: Uint8Array }[]): number[] {
  const out: number[] = [];
  for (const { code, value } of options) out.push(code, value.length & 0xff, ...value);
  return out;
}
