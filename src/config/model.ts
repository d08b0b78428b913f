/**
 * The validated, immutable configuration the router and the daemon run on. `load.ts` builds it
 * from the INI file; nothing else reads the file.
 */

/**
 * How a UEFI firmware client (EDK2 PXE) is steered in the proxy OFFER (protocol.md §5.1, §7):
 * - `binl`: no option 43, siaddr = our address; the client asks again on udp/4011 and gets the
 *   file in the ACK. Every UEFI ROM studied accepts it (pixiecore, dnsmasq ≥ 2.76).
 * - `direct`: option 43 = {6: 8} with siaddr and file; no 4011 round trip (smee). Some UEFI
 *   firmware ignores such offers.
 */
export type UefiOfferStyle = "binl" | "direct";

/**
 * Which UDP transport the daemon opens: `pktinfo` (libc via FFI: receiving interface and
 * egress pinning), `portable` (Deno.listenDatagram, no interface information), or `auto`
 * (pktinfo where it works, else portable). toolchain.md "UDP, broadcast and interfaces".
 */
export type TransportChoice = "auto" | "pktinfo" | "portable";

export type LogFormat = "auto" | "text" | "json";
export type LogLevel = "debug" | "info" | "warning" | "error";

export interface Ports {
  /** Where DISCOVERs arrive (67). */
  readonly dhcp: number;
  /** Where ProxyDHCP REQUESTs arrive (4011). */
  readonly pxe: number;
  /** Where DHCP clients listen for broadcast replies (68). */
  readonly client: number;
}

export interface Config {
  /** Path of the file this came from, for messages. */
  readonly source: string;
  /** Hex SHA-256 of the file's bytes, logged at start and on reload. */
  readonly hash: string;
  /** Interface names to serve; empty = every interface with an IPv4 address. */
  readonly interfaces: readonly string[];
  /** Addresses to serve as (option 54); empty = the receiving interface's own address. */
  readonly listenAddresses: readonly string[];
  readonly ports: Ports;
  /** siaddr and sname for boot files given as bare names (`tftpd`); undefined = our address. */
  readonly nextServer?: string;
  /** Boot file per arch code for clients in the firmware stage (ROM PXE, EDK2). */
  readonly firmwareRoutes: ReadonlyMap<number, string>;
  /** Absolute http(s) URL per arch code for UEFI HTTP boot clients (`HTTPClient`). */
  readonly httpRoutes: ReadonlyMap<number, string>;
  /**
   * What a client already running iPXE gets (`chainload_url`): a bare file name (from
   * nextServer over TFTP) or a tftp://, http:// or https:// URL. Undefined when `[ipxe]` is
   * disabled: iPXE clients are then routed like firmware, as the original proxyDHCPd did.
   */
  readonly ipxeScript?: string;
  readonly uefiOffer: UefiOfferStyle;
  /**
   * Extra PXE sub-options (validated code/length/value bytes, no End) merged into option 43 of
   * replies that carry option 43. From `vendor_specific_information` when given as hex.
   */
  readonly extraPxeSubOptions?: Uint8Array;
  /** Replies per client MAC per second, with a burst allowance; 0 disables the limit. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly log: { readonly format: LogFormat; readonly level: LogLevel };
  /** Where `-d` writes its log (default: syslog, since the terminal is gone). */
  readonly logFile?: string;
  /** Where `-d` writes the daemon's PID, if anywhere. */
  readonly pidFile?: string;
  readonly transport: TransportChoice;
  /**
   * Facts about the file worth one log line at start (e.g. a value accepted for compatibility
   * with the original proxyDHCPd but ignored). Each is self-contained, prefixed `<file>:<line>:`.
   */
  readonly notices: readonly string[];
}

export const DEFAULT_PORTS: Ports = { dhcp: 67, pxe: 4011, client: 68 };
export const DEFAULT_CONFIG_PATH = "/etc/proxydhcpd/proxy.ini";
