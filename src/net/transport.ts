/**
 * The transport contract between the daemon and the operating system. The router never sees it:
 * the daemon turns datagrams into packets and decisions back into datagrams.
 */

/** One received datagram and what the kernel said about its arrival. */
export interface Inbound {
  readonly data: Uint8Array;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** Receiving interface index (IP_PKTINFO), when the transport can tell. */
  readonly ifindex?: number;
  /** Destination address of the datagram (e.g. 255.255.255.255 for a broadcast DISCOVER). */
  readonly destinationAddress?: string;
}

/** Where and how to send one reply. */
export interface Outbound {
  readonly address: string;
  readonly port: number;
  /** Leave through this interface, even without a route (IP_PKTINFO ipi_ifindex). */
  readonly ifindex?: number;
  /** Source address to use (IP_PKTINFO ipi_spec_dst). */
  readonly sourceAddress?: string;
}

export interface UdpEndpoint {
  readonly port: number;
  /**
   * Waits for at least one datagram and returns every datagram already queued (a batch), so a
   * burst is drained with one wake-up. Rejects once the endpoint is closed.
   */
  receive(): Promise<Inbound[]>;
  /**
   * Sends one datagram. Failures surface as Deno errors (e.g. `Deno.errors.NetworkUnreachable`),
   * thrown by synchronous transports and rejected by asynchronous ones.
   */
  send(data: Uint8Array, to: Outbound): void | Promise<void>;
  /**
   * Sends what `send` queued; transports that send immediately don't have it. An endpoint that
   * has it sends immediately until the first `flush()`, so a caller that never flushes (e.g. a
   * wrapper that does not forward it) loses nothing. After that `send` may queue, and the caller
   * calls `flush()` after each batch of sends; `send` still throws at once for what it sent at
   * once or can never send (e.g. not an IPv4 address). Never throws: each queued datagram the
   * kernel refused comes back with the error `send` would have thrown, in sending order.
   */
  flush?(): readonly SendFailure[];
  close(): void;
}

/** A queued datagram that `flush()` could not send. */
export interface SendFailure {
  readonly to: Outbound;
  readonly error: Error;
}

export interface Transport {
  /** Short name for logs: `pktinfo` (Linux FFI) or `portable` (Deno.listenDatagram). */
  readonly name: string;
  /** Binds 0.0.0.0:port. Throws Deno.errors.AddrInUse / PermissionDenied like Deno does. */
  open(port: number): UdpEndpoint;
}
