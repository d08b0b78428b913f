/** Dotted-quad IPv4 helpers shared by the codec, the config and the transport. */

const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Strict dotted-quad check: no leading zeros, no hex, exactly four octets. */
export function isIpv4(text: string): boolean {
  return DOTTED.test(text);
}

export function ipv4ToBytes(ip: string, out: Uint8Array = new Uint8Array(4), at = 0): Uint8Array {
  let octet = 0;
  let index = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      out[at + index++] = octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 48);
    }
  }
  out[at + index] = octet;
  return out;
}

export function bytesToIpv4(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

export function ipv4ToNumber(ip: string): number {
  const b = ipv4ToBytes(ip);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export const ANY = "0.0.0.0";
export const BROADCAST = "255.255.255.255";
