/**
 * Picks the transport: pktinfo (Linux, libc via FFI) whenever it can work, else portable
 * (Deno.listenDatagram, which cannot choose the outgoing NIC; see portable.ts).
 */

import { LIBC_CANDIDATES, loadLibc } from "./libc.ts";
import { type PktinfoOptions, PktinfoTransport } from "./pktinfo.ts";
import { PortableTransport } from "./portable.ts";
import type { Transport } from "./transport.ts";

export type TransportKind = "auto" | "pktinfo" | "portable";

export type TransportOptions = PktinfoOptions;

export interface TransportSelection {
  readonly transport: Transport;
  /** Why this transport, for the startup log (e.g. why auto fell back to portable). */
  readonly reason: string;
}

export interface Platform {
  readonly os: string;
  /** Whether FFI may open one of the libc candidates. */
  readonly ffiGranted: boolean;
}

/** What `kind` resolves to on `platform`, with the reason; throws when pktinfo cannot work. */
export function resolveTransportKind(
  kind: TransportKind,
  platform: Platform,
): { kind: "pktinfo" | "portable"; reason: string } {
  if (kind === "portable") return { kind, reason: "portable transport requested" };
  const blocker = platform.os !== "linux"
    ? `IP_PKTINFO needs Linux, this is ${platform.os}`
    : platform.ffiGranted
    ? undefined
    : `FFI is not permitted (run with --allow-ffi=${LIBC_CANDIDATES[0]})`;
  if (blocker === undefined) return { kind: "pktinfo", reason: "Linux with FFI permitted" };
  if (kind === "pktinfo") throw new Error(`Cannot use the pktinfo transport: ${blocker}`);
  return { kind: "portable", reason: blocker };
}

export function currentPlatform(): Platform {
  return {
    os: Deno.build.os,
    ffiGranted: LIBC_CANDIDATES.some((path) =>
      Deno.permissions.querySync({ name: "ffi", path }).state === "granted"
    ),
  };
}

/**
 * Creates the transport for `kind`. "auto" also falls back to portable when libc cannot be
 * loaded though FFI is permitted; "pktinfo" throws instead.
 */
export function selectTransport(
  kind: TransportKind = "auto",
  options: TransportOptions = {},
  platform: Platform = currentPlatform(),
): TransportSelection {
  const resolved = resolveTransportKind(kind, platform);
  if (resolved.kind === "portable") {
    return { transport: new PortableTransport(), reason: resolved.reason };
  }
  try {
    const libc = options.libc ?? loadLibc();
    return {
      transport: new PktinfoTransport({ ...options, libc }),
      reason: `${resolved.reason}, libc ${libc.path}`,
    };
  } catch (error) {
    if (kind === "pktinfo") throw error;
    return { transport: new PortableTransport(), reason: (error as Error).message };
  }
}

export function createTransport(
  kind: TransportKind = "auto",
  options: TransportOptions = {},
): Transport {
  return selectTransport(kind, options).transport;
}
