/**
 * The daemon's packet loop: datagram → decode → decide → build → encode → send, one decision log
 * line per request. It owns the sockets and counters; the router never sees either.
 */
import { setImmediate } from "node:timers";
import type { Config } from "./config/model.ts";
import { DecodeError } from "./dhcp/errors.ts";
import { decodePacket, type DhcpPacket, encodePacket } from "./dhcp/packet.ts";
import { messageTypeName } from "./dhcp/options.ts";
import { archName } from "./pxe/arch.ts";
import { decide } from "./pxe/decide.ts";
import { type Decision, DropReason, type Port } from "./pxe/decision.ts";
import { buildReply } from "./pxe/reply.ts";
import { replyDestination } from "./pxe/destination.ts";
import { RateLimiter } from "./rate_limit.ts";
import { decisionEnabled, flushLogs, log, logDecision } from "./log.ts";
import type { Inbound, Transport, UdpEndpoint } from "./net/transport.ts";
import { type InterfaceBook, interfaceBook } from "./net/interface_book.ts";

/**
 * Drops logged at debug, not info: ordinary DHCP traffic causes them all day long, and a flood
 * past the rate limit must not become a flood of log lines.
 */
const DEBUG_DROPS = new Set<string>([
  "NotPxeClient",
  "Bootp",
  "RequestNotForUs",
  "MessageType",
  "RateLimited",
]);

export interface Counters {
  received: number;
  replied: number;
  dropped: Record<string, number>;
  malformed: number;
  sendErrors: Record<string, number>;
}

export interface ServerOptions {
  readonly transport: Transport;
  /** `-p`: serve udp/4011 only, for hosts where the primary DHCP server owns udp/67. */
  readonly proxyOnly: boolean;
  /** Interface lookup; replaceable in tests. */
  readonly interfaces?: InterfaceBook;
  readonly now?: () => number;
}

export class ProxyServer {
  #config: Config;
  readonly #options: ServerOptions;
  readonly #endpoints: { port: Port; endpoint: UdpEndpoint }[] = [];
  readonly #interfaces: InterfaceBook;
  #limiter: RateLimiter;
  #closed = false;
  readonly #warned = new Map<string, number>();
  readonly counters: Counters = {
    received: 0,
    replied: 0,
    dropped: {},
    malformed: 0,
    sendErrors: {},
  };

  constructor(config: Config, options: ServerOptions) {
    this.#config = config;
    this.#options = options;
    this.#interfaces = options.interfaces ?? interfaceBook();
    this.#limiter = new RateLimiter(config.rateLimit);
  }

  get config(): Config {
    return this.#config;
  }

  /** Swaps in a new config atomically: the next datagram is handled with it. */
  reload(config: Config): void {
    if (
      config.rateLimit.perSecond !== this.#config.rateLimit.perSecond ||
      config.rateLimit.burst !== this.#config.rateLimit.burst
    ) {
      this.#limiter = new RateLimiter(config.rateLimit);
    }
    this.#config = config;
  }

  /** Binds the sockets; throws the transport's error, leaving nothing bound. */
  bind(): void {
    const { ports } = this.#config;
    const wanted: Port[] = this.#options.proxyOnly ? ["pxe"] : ["dhcp", "pxe"];
    try {
      for (const port of wanted) {
        const number = port === "dhcp" ? ports.dhcp : ports.pxe;
        this.#endpoints.push({ port, endpoint: this.#options.transport.open(number) });
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get boundPorts(): number[] {
    return this.#endpoints.map(({ endpoint }) => endpoint.port);
  }

  /** Serves until `close()`. */
  async serve(): Promise<void> {
    const sweeper = setInterval(() => this.#limiter.sweep(this.#now()), 10_000);
    try {
      await Promise.all(this.#endpoints.map(({ port, endpoint }) => this.#loop(port, endpoint)));
    } finally {
      clearInterval(sweeper);
      flushLogs();
    }
  }

  close(): void {
    this.#closed = true;
    for (const { endpoint } of this.#endpoints) {
      try {
        endpoint.close();
      } catch { /* already closed */ }
    }
  }

  async #loop(port: Port, endpoint: UdpEndpoint): Promise<void> {
    while (!this.#closed) {
      let batch: Inbound[];
      try {
        batch = await endpoint.receive();
      } catch (error) {
        if (this.#closed) return;
        // A receive error must not end the loop (e.g. ICMP errors surfacing on the socket).
        this.#warnOnce(`receive:${errorName(error)}`, "Receive failed on port {port}: {error}", {
          port: endpoint.port,
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      for (const inbound of batch) {
        try {
          this.handle(port, endpoint, inbound);
        } catch (error) {
          // A bug must cost one datagram, not the daemon (the fuzzer has found none to date).
          this.#countDrop("InternalError");
          this.#warnOnce(
            `internal:${errorName(error)}`,
            "Dropped a datagram from {source}: {error}",
            {
              source: `${inbound.sourceAddress}:${inbound.sourcePort}`,
              error: String(error),
            },
          );
        }
      }
      // The batch's replies leave together where the transport queues them (one sendmmsg(2)).
      // handle() counted each as replied when it was queued: a refused one is taken back and
      // counted and logged like a send that failed at once.
      for (const { to, error } of endpoint.flush?.() ?? []) {
        this.counters.replied--;
        this.#sendFailed(error, to.address);
      }
      // One write for the batch's log lines, then let the other port's loop and the timers run:
      // a drained batch resolves as a microtask, which alone would starve them under load.
      flushLogs();
      await yieldToEventLoop();
    }
  }

  /** Handles one datagram; only a bug can make it throw (decode errors are counted drops). */
  handle(port: Port, endpoint: UdpEndpoint, inbound: Inbound): void {
    this.counters.received++;
    const config = this.#config;
    const iface = this.#interfaces.lookup(inbound.ifindex);
    if (!this.#serves(config, iface?.name, inbound)) {
      this.#countDrop("Interface");
      if (log.isEnabledFor("debug")) {
        log.debug(
          "Ignored datagram from {source} on interface {iface}: not configured to serve it",
          {
            source: `${inbound.sourceAddress}:${inbound.sourcePort}`,
            iface: iface?.name ?? `#${inbound.ifindex}`,
          },
        );
      }
      return;
    }

    let request: DhcpPacket;
    try {
      request = decodePacket(inbound.data);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.counters.malformed++;
      if (log.isEnabledFor("debug")) {
        log.debug("Dropped malformed datagram from {source}: {error}", {
          source: `${inbound.sourceAddress}:${inbound.sourcePort}`,
          error: error.message,
        });
      }
      return;
    }

    const decision = decide(request, port, config);
    if (decision.action === "drop") {
      this.#countDrop(decision.reason);
      this.#logDrop(port, request, decision, decision.reason, decision.detail);
      return;
    }
    if (!this.#limiter.allow(decision.client.mac, this.#now())) {
      this.#countDrop("RateLimited");
      this.#logDrop(port, request, decision, "RateLimited", "per-MAC reply budget spent");
      return;
    }

    const address = this.#interfaces.serverAddress(inbound, iface, config.listenAddresses);
    if (address === undefined) {
      this.#countDrop("NoAddress");
      this.#warnOnce(
        `noaddr:${iface?.name}`,
        "Cannot answer on interface {iface}: it has no IPv4 address to put in option 54",
        { iface: iface?.name ?? `#${inbound.ifindex}` },
      );
      return;
    }

    const reply = buildReply(request, decision, { address }, config);
    const bytes = encodePacket(reply);
    const to = replyDestination(
      request,
      port,
      { address: inbound.sourceAddress, port: inbound.sourcePort },
      config.ports,
    );
    try {
      const sent = endpoint.send(bytes, {
        address: to.address,
        port: to.port,
        // Broadcasts must leave through the NIC the request came in on, route or not (pitfall 14).
        ifindex: to.kind === "broadcast" ? inbound.ifindex : undefined,
        sourceAddress: address,
      });
      if (sent instanceof Promise) sent.catch((error) => this.#sendFailed(error, to.address));
    } catch (error) {
      this.#sendFailed(error, to.address);
      return;
    }
    this.counters.replied++;
    if (!decisionEnabled("info")) return;
    logDecision("info", {
      type: messageTypeName(decision.client.messageType),
      mac: decision.client.mac,
      xid: hex8(request.xid),
      port: endpoint.port,
      arch: archName(decision.client.arch),
      stage: decision.client.stage,
      action: decision.action,
      file: decision.bootFile,
      recipe: decision.recipe,
      to: `${to.address}:${to.port}`,
      iface: iface?.name,
      server: address,
    });
  }

  #serves(config: Config, ifname: string | undefined, inbound: Inbound): boolean {
    if (config.interfaces.length > 0) {
      if (ifname === undefined || !config.interfaces.includes(ifname)) return false;
    }
    if (config.listenAddresses.length > 0 && inbound.ifindex !== undefined) {
      return this.#interfaces.owns(inbound.ifindex, config.listenAddresses);
    }
    return true;
  }

  #logDrop(
    port: Port,
    request: DhcpPacket,
    decision: Decision,
    reason: string,
    detail: string | undefined,
  ): void {
    const level = DEBUG_DROPS.has(reason) ? "debug" : "info";
    if (!decisionEnabled(level)) return;
    const client = decision.client;
    const why = (DropReason as Record<string, string>)[reason] ?? reason;
    logDecision(level, {
      type: messageTypeName(client?.messageType),
      mac: client?.mac ?? "?",
      xid: hex8(request.xid),
      port: port === "dhcp" ? this.#config.ports.dhcp : this.#config.ports.pxe,
      arch: archName(client?.arch),
      stage: client?.stage ?? "?",
      action: "drop",
      reason,
      why: detail ? `${why} (${detail})` : why,
    });
  }

  #countDrop(reason: string): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
  }

  #sendFailed(error: unknown, destination: string): void {
    const name = errorName(error);
    this.counters.sendErrors[name] = (this.counters.sendErrors[name] ?? 0) + 1;
    this.#warnOnce(`send:${name}`, "Send to {destination} failed: {error} (still serving)", {
      destination,
      error: String(error),
    });
  }

  /** Logs a warning at most once a minute per cause, so a dead link cannot flood the log. */
  #warnOnce(cause: string, message: string, properties: Record<string, unknown>): void {
    const now = this.#now();
    const last = this.#warned.get(cause);
    if (last !== undefined && now - last < 60_000) return;
    this.#warned.set(cause, now);
    log.warn(message, properties);
  }

  #now(): number {
    return this.#options.now?.() ?? performance.now();
  }
}

/**
 * Resolves after one turn of the event loop, once timers and finished ops have run: a few µs,
 * where setTimeout(0) is clamped to 1–4 ms. (A MessageChannel is as quick but, once used, keeps
 * the process alive after the sockets are closed.)
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}

function hex8(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}
