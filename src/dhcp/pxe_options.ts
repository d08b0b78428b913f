/**
 * Option 43 for PXE clients: encapsulated sub-options (PXE 2.1 spec §2.4, protocol.md §5).
 * Sub-options are code/length/value and the block ends with End (255).
 */
import { bytesToIpv4, ipv4ToBytes, isIpv4 } from "./ipv4.ts";
import { EncodeError } from "./errors.ts";
import { decodeSubOptions, encodeSubOptions, latin1, latin1Bytes, Opt } from "./options.ts";

export const PxeSub = {
  DiscoveryControl: 6,
  MulticastAddress: 7,
  BootServers: 8,
  BootMenu: 9,
  MenuPrompt: 10,
  BootItem: 71,
} as const;

/** Bits of sub-option 6. */
export const Discovery = {
  NoBroadcast: 1,
  NoMulticast: 2,
  OnlyListedServers: 4,
  /** Boot the file in the offer: no prompt, menu or discovery. */
  UseBootFile: 8,
} as const;

export interface BootServerList {
  type: number;
  servers: string[];
}

export interface MenuItem {
  type: number;
  description: string;
}

export interface PxeOptions {
  discoveryControl?: number;
  multicastAddress?: string;
  bootServers?: BootServerList[];
  bootMenu?: MenuItem[];
  menuPrompt?: { timeout: number; text: string };
  bootItem?: { type: number; layer: number };
  /** Sub-options this codec does not model, kept verbatim. */
  other?: Map<number, Uint8Array>;
}

/** Decodes option 43's value. Returns undefined when any known sub-option is malformed. */
export function decodePxeOptions(value: Uint8Array): PxeOptions | undefined {
  const subs = decodeSubOptions(value);
  if (subs === undefined) return undefined;
  const out: PxeOptions = {};
  for (const [code, v] of subs) {
    switch (code) {
      case PxeSub.DiscoveryControl:
        if (v.length !== 1) return undefined;
        out.discoveryControl = v[0];
        break;
      case PxeSub.MulticastAddress:
        if (v.length !== 4) return undefined;
        out.multicastAddress = bytesToIpv4(v);
        break;
      case PxeSub.BootServers: {
        const list: BootServerList[] = [];
        let at = 0;
        while (at < v.length) {
          if (at + 3 > v.length) return undefined;
          const count = v[at + 2];
          const end = at + 3 + count * 4;
          if (end > v.length) return undefined;
          const servers: string[] = [];
          for (let i = at + 3; i < end; i += 4) servers.push(bytesToIpv4(v, i));
          list.push({ type: v[at] << 8 | v[at + 1], servers });
          at = end;
        }
        out.bootServers = list;
        break;
      }
      case PxeSub.BootMenu: {
        const items: MenuItem[] = [];
        let at = 0;
        while (at < v.length) {
          if (at + 3 > v.length) return undefined;
          const end = at + 3 + v[at + 2];
          if (end > v.length) return undefined;
          items.push({
            type: v[at] << 8 | v[at + 1],
            description: latin1(v.subarray(at + 3, end)),
          });
          at = end;
        }
        out.bootMenu = items;
        break;
      }
      case PxeSub.MenuPrompt:
        if (v.length < 1) return undefined;
        out.menuPrompt = { timeout: v[0], text: latin1(v.subarray(1)) };
        break;
      case PxeSub.BootItem:
        if (v.length !== 4) return undefined;
        out.bootItem = { type: v[0] << 8 | v[1], layer: v[2] << 8 | v[3] };
        break;
      default:
        (out.other ??= new Map()).set(code, v);
    }
  }
  return out;
}

function byte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new EncodeError(`Cannot encode ${what} ${value}: not a byte`);
  }
  return value;
}

function word(value: number, what: string): [number, number] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new EncodeError(`Cannot encode ${what} ${value}: not a 16-bit value`);
  }
  return [value >> 8, value & 0xff];
}

function address(value: string, what: string): Uint8Array {
  if (!isIpv4(value)) throw new EncodeError(`Cannot encode ${what} ${JSON.stringify(value)}`);
  return ipv4ToBytes(value);
}

/** Encodes option 43's value, ending with End (255). Refuses out-of-range fields. */
export function encodePxeOptions(options: PxeOptions): Uint8Array {
  const entries: [number, Uint8Array][] = [];
  if (options.discoveryControl !== undefined) {
    entries.push([
      PxeSub.DiscoveryControl,
      Uint8Array.of(byte(options.discoveryControl, "discovery control")),
    ]);
  }
  if (options.multicastAddress !== undefined) {
    entries.push([PxeSub.MulticastAddress, address(options.multicastAddress, "multicast address")]);
  }
  if (options.bootServers !== undefined) {
    const bytes: number[] = [];
    for (const { type, servers } of options.bootServers) {
      bytes.push(...word(type, "boot server type"), byte(servers.length, "boot server count"));
      for (const server of servers) bytes.push(...address(server, "boot server"));
    }
    entries.push([PxeSub.BootServers, Uint8Array.from(bytes)]);
  }
  if (options.bootMenu !== undefined) {
    const bytes: number[] = [];
    for (const { type, description } of options.bootMenu) {
      bytes.push(
        ...word(type, "menu item type"),
        byte(description.length, "menu item length"),
        ...latin1Bytes(description),
      );
    }
    entries.push([PxeSub.BootMenu, Uint8Array.from(bytes)]);
  }
  if (options.menuPrompt !== undefined) {
    const { timeout, text } = options.menuPrompt;
    entries.push([
      PxeSub.MenuPrompt,
      Uint8Array.of(byte(timeout, "prompt timeout"), ...latin1Bytes(text)),
    ]);
  }
  if (options.bootItem !== undefined) {
    const { type, layer } = options.bootItem;
    entries.push([
      PxeSub.BootItem,
      Uint8Array.of(type >> 8, type & 0xff, layer >> 8, layer & 0xff),
    ]);
  }
  for (const entry of options.other ?? []) entries.push(entry);
  return encodeSubOptions(entries, true);
}

/** Option 43 of a packet, decoded; undefined when absent or malformed. */
export function getPxeOptions(options: ReadonlyMap<number, Uint8Array>): PxeOptions | undefined {
  const value = options.get(Opt.VendorSpecific);
  return value && decodePxeOptions(value);
}
