/**
 * Linux UDP transport over libc (Deno FFI) with IP_PKTINFO.
 *
 * Why: Deno.listenDatagram cannot tell which NIC a DISCOVER came in on, and its broadcast replies
 * follow the routing table: NetworkUnreachable without a default route, wrong NIC on multi-homed
 * hosts (docs toolchain.md "UDP, broadcast and interfaces"). IP_PKTINFO (ip(7)) reports
 * `ipi_ifindex`/`ipi_addr` on receive and, on send, `ipi_ifindex` forces the outgoing NIC even
 * with no route, while `ipi_spec_dst` picks the source address.
 *
 * Struct layouts are the LP64 Linux ones (x86_64 and aarch64 glibc agree), little-endian host.
 */

import { bytesToIpv4, ipv4ToBytes, isIpv4 } from "../dhcp/ipv4.ts";
import type { Inbound, Outbound, SendFailure, Transport, UdpEndpoint } from "./transport.ts";
import {
  AF_INET,
  EAGAIN,
  EINTR,
  errnoError,
  IP_PKTINFO,
  IPPROTO_IP,
  type Libc,
  loadLibc,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_TRUNC,
  POLLIN,
  SHUT_RDWR,
  SO_BROADCAST,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./libc.ts";

// struct msghdr (56 bytes)
const MSG_NAME = 0;
const MSG_NAMELEN = 8;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_CONTROL = 32;
const MSG_CONTROLLEN = 40;
const MSG_FLAGS = 48;
// struct mmsghdr (64 bytes): struct msghdr, unsigned int msg_len (bytes moved), 4 of padding.
const MMSGHDR_SIZE = 64;
const MMSG_LEN = 56; // right after the 56-byte msghdr
// struct iovec (16 bytes)
const IOVEC_SIZE = 16;
const IOV_BASE = 0;
const IOV_LEN = 8;
// struct cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then data aligned to 8.
const CMSG_HEADER = 16;
const CMSG_LEVEL = 8;
const CMSG_TYPE = 12;
// struct in_pktinfo (12 bytes): int ipi_ifindex, in_addr ipi_spec_dst, in_addr ipi_addr.
const PKTINFO_SIZE = 12;
const IPI_IFINDEX = 0;
const IPI_SPEC_DST = 4;
const IPI_ADDR = 8;
const PKTINFO_CMSG_LEN = CMSG_HEADER + PKTINFO_SIZE; // CMSG_LEN(12) = 28
const PKTINFO_CMSG_SPACE = CMSG_HEADER + align8(PKTINFO_SIZE); // CMSG_SPACE(12) = 32
// struct sockaddr_in (16 bytes): sa_family_t (host order), port and address in network order.
const SOCKADDR_IN_SIZE = 16;
// struct pollfd (8 bytes): int fd, short events, short revents.
const POLLFD_SIZE = 8;

/** Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP). */
export const MAX_DATAGRAM = 65507;
const RECEIVE_CONTROL_SIZE = 128;
/** Bytes between two datagram buffers of a message vector (8-aligned, one datagram each). */
const RECEIVE_SLOT = align8(MAX_DATAGRAM + 1); // +1: a longer datagram would show as MSG_TRUNC
const SEND_SLOT = align8(MAX_DATAGRAM);

export const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
export const DEFAULT_BATCH_LIMIT = 64;
/** How long one poll may sleep; close() wakes it at once, this only bounds a missed wake-up. */
export const DEFAULT_POLL_TIMEOUT_MS = 250;

export interface PktinfoOptions {
  /**
   * SO_RCVBUF to ask for, in bytes (0 keeps the kernel default). SO_RCVBUFFORCE is tried first
   * (root/CAP_NET_ADMIN may exceed net.core.rmem_max); whatever the kernel grants is kept.
   */
  readonly receiveBufferBytes?: number;
  /**
   * Most datagrams one receive() returns (one recvmmsg call), and most replies queued between
   * two flush() calls (one sendmmsg call).
   */
  readonly batchLimit?: number;
  readonly pollTimeoutMs?: number;
  /** libc already loaded (default: loadLibc(), which tries LIBC_CANDIDATES). */
  readonly libc?: Libc;
}

/**
 * size_t fields only ever hold small values here, so they are written and read as their low
 * 32 bits (little-endian) to keep BigInt allocations off the per-datagram path.
 */
function setSize(view: DataView, at: number, value: number): void {
  view.setUint32(at, value, true);
  view.setUint32(at + 4, 0, true);
}

function getSize(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) === 0 ? view.getUint32(at, true) : Infinity;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Off-heap buffer: V8 never moves an ArrayBuffer's backing store, so its address is stable. */
function stableBuffer(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(size));
}

/**
 * An array of `count` struct mmsghdr for recvmmsg/sendmmsg, entry i wired to its own iovec,
 * datagram buffer, sockaddr_in and control buffer (slot i of each array below). The arrays are
 * allocated once; the fields hold them so that the addresses written into the headers stay valid.
 * The datagram area is one large allocation, which the C allocator maps lazily: only the pages
 * that datagrams touch become resident.
 */
class MessageVector {
  readonly headers: Uint8Array;
  readonly headerView: DataView;
  readonly data: Uint8Array;
  readonly names: Uint8Array;
  readonly control: Uint8Array;
  readonly controlView: DataView;
  readonly iovView: DataView;
  /** `headers` from entry i on: hands libc a vector that starts at entry i. */
  readonly from: readonly Uint8Array[];

  constructor(
    libc: Libc,
    readonly count: number,
    readonly dataSize: number,
    readonly controlSize: number,
  ) {
    this.headers = stableBuffer(count * MMSGHDR_SIZE);
    this.headerView = new DataView(this.headers.buffer);
    this.data = stableBuffer(count * dataSize);
    this.names = stableBuffer(count * SOCKADDR_IN_SIZE);
    this.control = stableBuffer(count * controlSize);
    this.controlView = new DataView(this.control.buffer);
    const iovs = stableBuffer(count * IOVEC_SIZE);
    this.iovView = new DataView(iovs.buffer);
    const data = libc.addressOf(this.data);
    const names = libc.addressOf(this.names);
    const control = libc.addressOf(this.control);
    const iovAddress = libc.addressOf(iovs);
    const from: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const iov = i * IOVEC_SIZE;
      this.iovView.setBigUint64(iov + IOV_BASE, data + BigInt(i * dataSize), true);
      setSize(this.iovView, iov + IOV_LEN, dataSize);
      const header = i * MMSGHDR_SIZE;
      const view = this.headerView;
      view.setBigUint64(header + MSG_NAME, names + BigInt(i * SOCKADDR_IN_SIZE), true);
      view.setUint32(header + MSG_NAMELEN, SOCKADDR_IN_SIZE, true);
      view.setBigUint64(header + MSG_IOV, iovAddress + BigInt(iov), true);
      setSize(view, header + MSG_IOVLEN, 1);
      view.setBigUint64(header + MSG_CONTROL, control + BigInt(i * controlSize), true);
      setSize(view, header + MSG_CONTROLLEN, controlSize);
      from.push(this.headers.subarray(header));
    }
    this.from = from;
  }
}

const NO_FAILURES: readonly SendFailure[] = Object.freeze([]);

export class PktinfoTransport implements Transport {
  readonly name = "pktinfo";
  readonly #options: PktinfoOptions;
  readonly #libc: Libc;

  constructor(options: PktinfoOptions = {}) {
    if (Deno.build.os !== "linux") {
      throw new Deno.errors.NotSupported(
        `Cannot create the pktinfo transport: it needs Linux, this is ${Deno.build.os}`,
      );
    }
    this.#options = options;
    this.#libc = options.libc ?? loadLibc();
  }

  get libcPath(): string {
    return this.#libc.path;
  }

  open(port: number): PktinfoEndpoint {
    return new PktinfoEndpoint(this.#libc, port, this.#options);
  }
}

export class PktinfoEndpoint implements UdpEndpoint {
  readonly port: number;
  /** SO_RCVBUF as getsockopt reports it (Linux doubles the request to cover bookkeeping). */
  readonly receiveBufferBytes: number;

  readonly #libc: Libc;
  readonly #fd: number;
  readonly #pollTimeoutMs: number;
  #closed = false;
  #receiving = false;
  #receiveCalls = 0;
  #sendCalls = 0;

  readonly #rx: MessageVector;
  readonly #pollFd = stableBuffer(POLLFD_SIZE);

  // Send side: payloads are copied into #tx slots so no caller buffer address is ever taken.
  readonly #tx: MessageVector;
  /** Set by the first flush(): from then on send() queues and the caller flushes. */
  #deferring = false;
  /** Datagrams the last recvmmsg returned (0 before the first). */
  #lastBatchSize = 0;
  #queued = 0;
  readonly #queuedTargets: (Outbound | undefined)[];
  #failures: SendFailure[] = [];

  constructor(libc: Libc, port: number, options: PktinfoOptions = {}) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`Cannot bind 0.0.0.0:${port}: not a UDP port number`);
    }
    this.#libc = libc;
    const batchLimit = options.batchLimit ?? DEFAULT_BATCH_LIMIT;
    this.#pollTimeoutMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    if (!(Number.isInteger(batchLimit) && batchLimit >= 1 && batchLimit <= 1024)) {
      // 1024 is UIO_MAXIOV, the most messages one recvmmsg/sendmmsg call takes.
      throw new RangeError(
        `Cannot open a pktinfo endpoint: batchLimit ${batchLimit} not in 1…1024`,
      );
    }
    if (!(Number.isInteger(this.#pollTimeoutMs) && this.#pollTimeoutMs >= 1)) {
      throw new RangeError(`Cannot open a pktinfo endpoint: pollTimeoutMs must be >= 1 ms`);
    }
    const c = libc.symbols;
    const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw this.#error("create a UDP socket");
    this.#fd = fd;
    try {
      // Never SO_REUSEADDR/SO_REUSEPORT: a second daemon must fail to bind, not answer twice.
      this.#setInt(SOL_SOCKET, SO_BROADCAST, 1, "enable SO_BROADCAST");
      this.#setInt(IPPROTO_IP, IP_PKTINFO, 1, "enable IP_PKTINFO");
      this.receiveBufferBytes = this.#sizeReceiveBuffer(
        options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES,
      );
      const address = stableBuffer(SOCKADDR_IN_SIZE);
      writeSockaddr(address, 0, "0.0.0.0", port);
      if (c.bind(fd, address, SOCKADDR_IN_SIZE) !== 0) throw this.#error(`bind 0.0.0.0:${port}`);
      const length = new Uint32Array([SOCKADDR_IN_SIZE]);
      if (c.getsockname(fd, address, length) !== 0) throw this.#error("read the bound port");
      this.port = (address[2] << 8) | address[3];
    } catch (error) {
      c.close(fd);
      throw error;
    }
    this.#rx = new MessageVector(libc, batchLimit, RECEIVE_SLOT, RECEIVE_CONTROL_SIZE);
    this.#tx = new MessageVector(libc, batchLimit, SEND_SLOT, PKTINFO_CMSG_SPACE);
    this.#queuedTargets = new Array(batchLimit).fill(undefined);
    for (let at = 0; at < this.#tx.control.length; at += PKTINFO_CMSG_SPACE) {
      // Each slot's control buffer holds one ready IP_PKTINFO header; ipi_addr stays 0.
      const control = this.#tx.controlView;
      setSize(control, at, PKTINFO_CMSG_LEN);
      control.setInt32(at + CMSG_LEVEL, IPPROTO_IP, true);
      control.setInt32(at + CMSG_TYPE, IP_PKTINFO, true);
    }
    const poll = new DataView(this.#pollFd.buffer);
    poll.setInt32(0, fd, true);
    poll.setInt16(4, POLLIN, true);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** recvmmsg calls made so far (each drains up to the batch limit). */
  get receiveCalls(): number {
    return this.#receiveCalls;
  }

  /** sendmsg and sendmmsg calls made so far. */
  get sendCalls(): number {
    return this.#sendCalls;
  }

  async receive(): Promise<Inbound[]> {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot receive: the endpoint is closed");
    if (this.#receiving) {
      throw new Deno.errors.Busy("Cannot receive: another receive() is already waiting");
    }
    this.#receiving = true;
    try {
      for (;;) {
        // Try first: under load the queue is rarely empty and the worker-thread hop is skipped.
        const batch = this.#drain();
        if (batch.length > 0) return batch;
        // poll() on a worker thread; close() ends it early by shutdown(2) (wakes with POLLHUP).
        // A -1 here can only be EINTR on that thread (its errno is not ours to read): retry.
        await this.#libc.symbols.poll(this.#pollFd, 1n, this.#pollTimeoutMs);
        if (this.#closed) {
          throw new Deno.errors.Interrupted("Cannot receive: the endpoint was closed");
        }
      }
    } finally {
      this.#receiving = false;
    }
  }

  /**
   * Sends, or after the first flush() queues for the next one (a full queue is sent at once),
   * unless the last receive() returned a single datagram: then it sends at once. With `ifindex`/`sourceAddress` an IP_PKTINFO control message chooses the NIC (even with no
   * route, e.g. a 255.255.255.255 reply) and the source address. A target that can never be
   * reached (not IPv4, bad port, too large) throws right away, queued or not. EAGAIN (send
   * buffer full) becomes Deno.errors.WouldBlock rather than a retry: a DHCP client retransmits,
   * and spinning here would stall every other reply.
   */
  send(data: Uint8Array, to: Outbound): void {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot send: the endpoint is closed");
    const invalid = invalidOutbound(data, to);
    if (invalid !== undefined) throw invalid;
    const slot = this.#queued;
    this.#fillSlot(slot, data, to);
    // A lone datagram's reply has nothing to share a sendmmsg with; queued, it would only wait
    // for the rest of the caller's work (the daemon's log line: ~15 µs more p50 at 2,000/s).
    if (!this.#deferring || (slot === 0 && this.#lastBatchSize === 1)) {
      return this.#sendFirstSlot(to);
    }
    this.#queuedTargets[slot] = to;
    this.#queued = slot + 1;
    if (this.#queued === this.#tx.count) this.#sendQueued();
  }

  /**
   * Sends every queued datagram (one sendmmsg call when none fails) and returns those the kernel
   * refused, also from a full queue that send() flushed on its own. Never throws.
   */
  flush(): readonly SendFailure[] {
    this.#deferring = true;
    if (this.#queued > 0) this.#sendQueued();
    if (this.#failures.length === 0) return NO_FAILURES;
    const failures = this.#failures;
    this.#failures = [];
    return failures;
  }

  /**
   * Idempotent. Wakes a pending receive(), which then rejects with Deno.errors.Interrupted.
   * Datagrams still queued are sent first; failures among them go unreported.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#queued > 0) this.#sendQueued();
    this.#closed = true;
    // On an unconnected UDP socket shutdown() fails with ENOTCONN but still wakes pollers.
    this.#libc.symbols.shutdown(this.#fd, SHUT_RDWR);
    this.#libc.symbols.close(this.#fd);
  }

  /** Reads queued datagrams without blocking, up to the batch limit, in one recvmmsg call. */
  #drain(): Inbound[] {
    const rx = this.#rx;
    const view = rx.headerView;
    for (;;) {
      this.#receiveCalls++;
      const count = this.#libc.symbols.recvmmsg(this.#fd, rx.headers, rx.count, MSG_DONTWAIT, null);
      if (count < 0) {
        const errno = this.#libc.errno();
        if (errno === EAGAIN) return [];
        if (errno === EINTR) continue;
        // After at least one datagram recvmmsg returns the count and reports an error next call.
        throw errnoError("receive", errno, this.#libc.describe(errno));
      }
      this.#lastBatchSize = count;
      const batch: Inbound[] = [];
      for (let slot = 0; slot < count; slot++) {
        const header = slot * MMSGHDR_SIZE;
        const flags = view.getInt32(header + MSG_FLAGS, true);
        // MSG_TRUNC: larger than any IPv4 UDP payload, impossible; dropped all the same.
        if ((flags & MSG_TRUNC) === 0) {
          const size = view.getUint32(header + MMSG_LEN, true);
          batch.push(this.#inbound(slot, size, (flags & MSG_CTRUNC) === 0));
        }
        // The kernel rewrote both lengths for this datagram; restore them for the next call.
        view.setUint32(header + MSG_NAMELEN, SOCKADDR_IN_SIZE, true);
        setSize(view, header + MSG_CONTROLLEN, RECEIVE_CONTROL_SIZE);
      }
      return batch;
    }
  }

  #inbound(slot: number, size: number, controlComplete: boolean): Inbound {
    const rx = this.#rx;
    const name = slot * SOCKADDR_IN_SIZE;
    const sourceAddress = bytesToIpv4(rx.names, name + 4);
    const sourcePort = (rx.names[name + 2] << 8) | rx.names[name + 3];
    const start = slot * rx.dataSize;
    const data = rx.data.slice(start, start + size);
    const pktinfo = controlComplete ? this.#findPktinfo(slot) : -1;
    if (pktinfo < 0) return { data, sourceAddress, sourcePort };
    return {
      data,
      sourceAddress,
      sourcePort,
      ifindex: rx.controlView.getInt32(pktinfo + IPI_IFINDEX, true),
      // ipi_addr is the header's destination (e.g. 255.255.255.255); ipi_spec_dst is not.
      destinationAddress: bytesToIpv4(rx.control, pktinfo + IPI_ADDR),
    };
  }

  /** Offset of slot's in_pktinfo payload in the received control data, or -1. */
  #findPktinfo(slot: number): number {
    const view = this.#rx.controlView;
    const base = slot * RECEIVE_CONTROL_SIZE;
    const end = base + getSize(this.#rx.headerView, slot * MMSGHDR_SIZE + MSG_CONTROLLEN);
    let at = base;
    while (at + CMSG_HEADER <= end) {
      const length = getSize(view, at);
      if (length < CMSG_HEADER || at + length > end) return -1;
      const level = view.getInt32(at + CMSG_LEVEL, true);
      const type = view.getInt32(at + CMSG_TYPE, true);
      if (level === IPPROTO_IP && type === IP_PKTINFO && length >= PKTINFO_CMSG_LEN) {
        return at + CMSG_HEADER;
      }
      at += align8(length);
    }
    return -1;
  }

  /** Writes datagram, destination and (when asked for) IP_PKTINFO into send slot `slot`. */
  #fillSlot(slot: number, data: Uint8Array, to: Outbound): void {
    const tx = this.#tx;
    tx.data.set(data, slot * tx.dataSize);
    setSize(tx.iovView, slot * IOVEC_SIZE + IOV_LEN, data.length);
    writeSockaddr(tx.names, slot * SOCKADDR_IN_SIZE, to.address, to.port);
    const withPktinfo = to.ifindex !== undefined || to.sourceAddress !== undefined;
    if (withPktinfo) {
      const at = slot * PKTINFO_CMSG_SPACE + CMSG_HEADER;
      tx.controlView.setInt32(at + IPI_IFINDEX, to.ifindex ?? 0, true);
      // 0.0.0.0 lets the kernel pick the source from the outgoing NIC.
      ipv4ToBytes(to.sourceAddress ?? "0.0.0.0", tx.control, at + IPI_SPEC_DST);
    }
    // msg_control always points at the slot's buffer; with length 0 the kernel ignores it.
    const controlLength = withPktinfo ? PKTINFO_CMSG_SPACE : 0;
    setSize(tx.headerView, slot * MMSGHDR_SIZE + MSG_CONTROLLEN, controlLength);
  }

  /** Sends slot 0 with sendmsg (its msghdr starts the vector) and throws what it fails with. */
  #sendFirstSlot(to: Outbound): void {
    for (;;) {
      this.#sendCalls++;
      if (this.#libc.symbols.sendmsg(this.#fd, this.#tx.headers, MSG_DONTWAIT) >= 0) return;
      const errno = this.#libc.errno();
      if (errno === EINTR) continue;
      throw this.#sendError(errno, to);
    }
  }

  /**
   * sendmmsg stops at the first message it cannot send and returns how many went; called again
   * from that message, it fails with its errno. So a failure costs one extra call, is recorded
   * for that message alone, and sending goes on with the next.
   */
  #sendQueued(): void {
    const total = this.#queued;
    const c = this.#libc.symbols;
    let next = 0;
    while (next < total) {
      this.#sendCalls++;
      const sent = c.sendmmsg(this.#fd, this.#tx.from[next], total - next, MSG_DONTWAIT);
      if (sent > 0) {
        next += sent;
        continue;
      }
      const errno = this.#libc.errno();
      if (errno === EINTR) continue;
      const to = this.#queuedTargets[next]!;
      this.#failures.push({ to, error: this.#sendError(errno, to) });
      next++;
    }
    this.#queuedTargets.fill(undefined, 0, total);
    this.#queued = 0;
  }

  #sendError(errno: number, to: Outbound): Error {
    return errnoError(`send to ${describeTarget(to)}`, errno, this.#libc.describe(errno));
  }

  #setInt(level: number, option: number, value: number, action: string): void {
    const box = new Int32Array([value]);
    if (this.#libc.symbols.setsockopt(this.#fd, level, option, box, 4) !== 0) {
      throw this.#error(action);
    }
  }

  /** Asks for `bytes` (force first, then the capped request); returns what the kernel gave. */
  #sizeReceiveBuffer(bytes: number): number {
    const c = this.#libc.symbols;
    if (bytes > 0) {
      const box = new Int32Array([Math.min(bytes, 0x3fffffff)]);
      if (c.setsockopt(this.#fd, SOL_SOCKET, SO_RCVBUFFORCE, box, 4) !== 0) {
        c.setsockopt(this.#fd, SOL_SOCKET, SO_RCVBUF, box, 4); // capped by rmem_max; fine
      }
    }
    const value = new Int32Array(1);
    const length = new Uint32Array([4]);
    if (c.getsockopt(this.#fd, SOL_SOCKET, SO_RCVBUF, value, length) !== 0) {
      throw this.#error("read SO_RCVBUF");
    }
    return value[0];
  }

  #error(action: string): Error {
    const errno = this.#libc.errno();
    return errnoError(action, errno, this.#libc.describe(errno));
  }
}

function writeSockaddr(out: Uint8Array, at: number, address: string, port: number): void {
  out.fill(0, at, at + SOCKADDR_IN_SIZE);
  out[at] = AF_INET; // sa_family_t is host order: little-endian on x86_64 and aarch64
  out[at + 2] = port >> 8;
  out[at + 3] = port & 0xff;
  ipv4ToBytes(address, out, at + 4);
}

/** Why `data` cannot be sent to `to`, or undefined; checked so that no garbage reaches sendmsg. */
function invalidOutbound(data: Uint8Array, to: Outbound): Error | undefined {
  const refuse = (ErrorClass: typeof TypeError, problem: string) =>
    new ErrorClass(`Cannot send to ${describeTarget(to)}: ${problem}`);
  if (!isIpv4(to.address)) return refuse(TypeError, "not an IPv4 address");
  if (to.sourceAddress !== undefined && !isIpv4(to.sourceAddress)) {
    return refuse(TypeError, "the source is not an IPv4 address");
  }
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) {
    return refuse(RangeError, "not a UDP port number");
  }
  if (
    to.ifindex !== undefined &&
    !(Number.isInteger(to.ifindex) && to.ifindex >= 0 && to.ifindex <= 0x7fffffff)
  ) {
    return refuse(RangeError, "not an interface index");
  }
  if (data.length > MAX_DATAGRAM) {
    return refuse(RangeError, `${data.length} bytes exceed ${MAX_DATAGRAM}`);
  }
  return undefined;
}

function describeTarget(to: Outbound): string {
  const via = to.ifindex === undefined ? "" : ` via ifindex ${to.ifindex}`;
  const from = to.sourceAddress === undefined ? "" : ` from ${to.sourceAddress}`;
  return `${to.address}:${to.port}${via}${from}`;
}
