/**
 * The daemon's view of the host's interfaces, refreshed when a datagram names an unknown
 * interface and every few seconds, so interfaces that appear, change address or vanish are
 * noticed while the other interfaces keep being served.
 */
import type { Inbound } from "./transport.ts";
import { listInterfaces, localAddressFor, type NetInterface } from "./interfaces.ts";

export interface InterfaceBook {
  /** The receiving interface, if the transport reported one and it still exists. */
  lookup(ifindex: number | undefined): NetInterface | undefined;
  /** Our address as seen by this datagram's sender (option 54). */
  serverAddress(
    inbound: Inbound,
    iface: NetInterface | undefined,
    preferred: readonly string[],
  ): string | undefined;
  /** Whether interface `ifindex` holds one of `addresses`. */
  owns(ifindex: number, addresses: readonly string[]): boolean;
  /** Everything known right now (for the start-up summary). */
  all(): readonly NetInterface[];
}

const REFRESH_MS = 5_000;
const UNKNOWN_RETRY_MS = 1_000;

export function interfaceBook(
  list: () => NetInterface[] = listInterfaces,
  now: () => number = () => performance.now(),
): InterfaceBook {
  let interfaces = list();
  let byIndex = index(interfaces);
  let refreshedAt = now();

  const refresh = (minimumAge: number) => {
    const t = now();
    if (t - refreshedAt < minimumAge) return;
    refreshedAt = t;
    try {
      interfaces = list();
      byIndex = index(interfaces);
    } catch {
      // Keep the last good view; a transient failure must not stop serving.
    }
  };

  return {
    lookup(ifindex) {
      if (ifindex === undefined) return undefined;
      refresh(byIndex.has(ifindex) ? REFRESH_MS : UNKNOWN_RETRY_MS);
      return byIndex.get(ifindex);
    },
    serverAddress(inbound, iface, preferred) {
      if (iface !== undefined) return localAddressFor(inbound, interfaces, preferred);
      // No interface information (portable transport): the configured address, else the
      // host's only non-loopback address.
      if (preferred.length > 0) return preferred[0];
      const candidates = interfaces.flatMap((i) => i.addresses.map((a) => a.address))
        .filter((a) => !a.startsWith("127."));
      return candidates.length === 1 ? candidates[0] : undefined;
    },
    owns(ifindex, addresses) {
      const iface = byIndex.get(ifindex);
      return iface !== undefined && iface.addresses.some((a) => addresses.includes(a.address));
    },
    all: () => interfaces,
  };
}

function index(interfaces: NetInterface[]): Map<number, NetInterface> {
  return new Map(interfaces.map((i) => [i.ifindex, i]));
}
