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
import type { Inbound, Outbound, Transport, UdpEndpoint } from "./transport.ts";
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
const MSGHDR_SIZE = 56;
const MSG_NAME = 0;
const MSG_NAMELEN = 8;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_CONTROL = 32;
const MSG_CONTROLLEN = 40;
const MSG_FLAGS = 48;
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
  /** Most datagrams one receive() returns. */
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
  readonly #batchLimit: number;
  readonly #pollTimeoutMs: number;
  #closed = false;
  #receiving = false;

  // Receive side, allocated once and reused for every datagram.
  readonly #rxData = stableBuffer(MAX_DATAGRAM + 1);
  readonly #rxName = stableBuffer(SOCKADDR_IN_SIZE);
  readonly #rxControl = stableBuffer(RECEIVE_CONTROL_SIZE);
  readonly #rxIov = stableBuffer(IOVEC_SIZE);
  readonly #rxMsg = stableBuffer(MSGHDR_SIZE);
  readonly #rxMsgView = new DataView(this.#rxMsg.buffer);
  readonly #rxControlView = new DataView(this.#rxControl.buffer);
  readonly #pollFd = stableBuffer(POLLFD_SIZE);

  // Send side: the payload is copied into #txData so no caller buffer address is ever taken.
  readonly #txData = stableBuffer(MAX_DATAGRAM);
  readonly #txName = stableBuffer(SOCKADDR_IN_SIZE);
  readonly #txControl = stableBuffer(PKTINFO_CMSG_SPACE);
  readonly #txIov = stableBuffer(IOVEC_SIZE);
  readonly #txMsg = stableBuffer(MSGHDR_SIZE);
  readonly #txMsgView = new DataView(this.#txMsg.buffer);
  readonly #txIovView = new DataView(this.#txIov.buffer);
  readonly #txControlAddress: bigint;

  constructor(libc: Libc, port: number, options: PktinfoOptions = {}) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`Cannot bind 0.0.0.0:${port}: not a UDP port number`);
    }
    this.#libc = libc;
    this.#batchLimit = options.batchLimit ?? DEFAULT_BATCH_LIMIT;
    this.#pollTimeoutMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    if (!(Number.isInteger(this.#batchLimit) && this.#batchLimit >= 1)) {
      throw new RangeError(`Cannot open a pktinfo endpoint: batchLimit ${this.#batchLimit} < 1`);
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
      writeSockaddr(address, "0.0.0.0", port);
      if (c.bind(fd, address, SOCKADDR_IN_SIZE) !== 0) throw this.#error(`bind 0.0.0.0:${port}`);
      const length = new Uint32Array([SOCKADDR_IN_SIZE]);
      if (c.getsockname(fd, address, length) !== 0) throw this.#error("read the bound port");
      this.port = (address[2] << 8) | address[3];
    } catch (error) {
      c.close(fd);
      throw error;
    }
    this.#prepareReceive();
    this.#prepareSend();
    this.#txControlAddress = libc.addressOf(this.#txControl);
    const poll = new DataView(this.#pollFd.buffer);
    poll.setInt32(0, fd, true);
    poll.setInt16(4, POLLIN, true);
  }

  get closed(): boolean {
    return this.#closed;
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
   * Sends synchronously. With `ifindex`/`sourceAddress` an IP_PKTINFO control message chooses
   * the NIC (even with no route, e.g. a 255.255.255.255 reply) and the source address.
   * EAGAIN (send buffer full) is thrown as Deno.errors.WouldBlock rather than retried: a DHCP
   * client retransmits, and spinning here would stall every other reply.
   */
  send(data: Uint8Array, to: Outbound): void {
    if (this.#closed) throw new Deno.errors.BadResource("Cannot send: the endpoint is closed");
    const invalid = invalidOutbound(data, to);
    if (invalid !== undefined) throw invalid;
    this.#txData.set(data);
    setSize(this.#txIovView, IOV_LEN, data.length);
    writeSockaddr(this.#txName, to.address, to.port);
    const withPktinfo = to.ifindex !== undefined || to.sourceAddress !== undefined;
    if (withPktinfo) this.#writePktinfo(to);
    this.#txMsgView.setBigUint64(MSG_CONTROL, withPktinfo ? this.#txControlAddress : 0n, true);
    setSize(this.#txMsgView, MSG_CONTROLLEN, withPktinfo ? PKTINFO_CMSG_SPACE : 0);
    for (;;) {
      if (this.#libc.symbols.sendmsg(this.#fd, this.#txMsg, MSG_DONTWAIT) >= 0) return;
      const errno = this.#libc.errno();
      if (errno === EINTR) continue;
      throw errnoError(`send to ${describeTarget(to)}`, errno, this.#libc.describe(errno));
    }
  }

  /** Idempotent. Wakes a pending receive(), which then rejects with Deno.errors.Interrupted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // On an unconnected UDP socket shutdown() fails with ENOTCONN but still wakes pollers.
    this.#libc.symbols.shutdown(this.#fd, SHUT_RDWR);
    this.#libc.symbols.close(this.#fd);
  }

  /** Reads queued datagrams without blocking, up to the batch limit. */
  #drain(): Inbound[] {
    const batch: Inbound[] = [];
    const c = this.#libc.symbols;
    const msg = this.#rxMsgView;
    while (batch.length < this.#batchLimit) {
      // The kernel rewrites these three on every call.
      msg.setUint32(MSG_NAMELEN, SOCKADDR_IN_SIZE, true);
      setSize(msg, MSG_CONTROLLEN, RECEIVE_CONTROL_SIZE);
      msg.setInt32(MSG_FLAGS, 0, true);
      const size = c.recvmsg(this.#fd, this.#rxMsg, MSG_DONTWAIT);
      if (size < 0) {
        const errno = this.#libc.errno();
        if (errno === EAGAIN) break;
        if (errno === EINTR) continue;
        if (batch.length > 0) break; // hand over what we have; the error comes back next time
        throw errnoError("receive", errno, this.#libc.describe(errno));
      }
      const flags = msg.getInt32(MSG_FLAGS, true);
      if ((flags & MSG_TRUNC) !== 0) continue; // larger than any IPv4 UDP payload: impossible
      batch.push(this.#inbound(size, (flags & MSG_CTRUNC) === 0));
    }
    return batch;
  }

  #inbound(size: number, controlComplete: boolean): Inbound {
    const name = this.#rxName;
    const sourceAddress = bytesToIpv4(name, 4);
    const sourcePort = (name[2] << 8) | name[3];
    const data = this.#rxData.slice(0, size);
    const pktinfo = controlComplete ? this.#findPktinfo() : -1;
    if (pktinfo < 0) return { data, sourceAddress, sourcePort };
    return {
      data,
      sourceAddress,
      sourcePort,
      ifindex: this.#rxControlView.getInt32(pktinfo + IPI_IFINDEX, true),
      // ipi_addr is the header's destination (e.g. 255.255.255.255); ipi_spec_dst is not.
      destinationAddress: bytesToIpv4(this.#rxControl, pktinfo + IPI_ADDR),
    };
  }

  /** Offset of the in_pktinfo payload in the received control data, or -1. */
  #findPktinfo(): number {
    const view = this.#rxControlView;
    const total = getSize(this.#rxMsgView, MSG_CONTROLLEN);
    let at = 0;
    while (at + CMSG_HEADER <= total) {
      const length = getSize(view, at);
      if (length < CMSG_HEADER || at + length > total) return -1;
      const level = view.getInt32(at + CMSG_LEVEL, true);
      const type = view.getInt32(at + CMSG_TYPE, true);
      if (level === IPPROTO_IP && type === IP_PKTINFO && length >= PKTINFO_CMSG_LEN) {
        return at + CMSG_HEADER;
      }
      at += align8(length);
    }
    return -1;
  }

  #prepareReceive(): void {
    const libc = this.#libc;
    const iov = new DataView(this.#rxIov.buffer);
    iov.setBigUint64(IOV_BASE, libc.addressOf(this.#rxData), true);
    setSize(iov, IOV_LEN, this.#rxData.length);
    const msg = this.#rxMsgView;
    msg.setBigUint64(MSG_NAME, libc.addressOf(this.#rxName), true);
    msg.setBigUint64(MSG_IOV, libc.addressOf(this.#rxIov), true);
    setSize(msg, MSG_IOVLEN, 1);
    msg.setBigUint64(MSG_CONTROL, libc.addressOf(this.#rxControl), true);
  }

  #prepareSend(): void {
    const libc = this.#libc;
    this.#txIovView.setBigUint64(IOV_BASE, libc.addressOf(this.#txData), true);
    const msg = this.#txMsgView;
    msg.setBigUint64(MSG_NAME, libc.addressOf(this.#txName), true);
    msg.setUint32(MSG_NAMELEN, SOCKADDR_IN_SIZE, true);
    msg.setBigUint64(MSG_IOV, libc.addressOf(this.#txIov), true);
    setSize(msg, MSG_IOVLEN, 1);
    const control = new DataView(this.#txControl.buffer);
    setSize(control, 0, PKTINFO_CMSG_LEN);
    control.setInt32(CMSG_LEVEL, IPPROTO_IP, true);
    control.setInt32(CMSG_TYPE, IP_PKTINFO, true);
  }

  #writePktinfo(to: Outbound): void {
    const control = this.#txControl;
    new DataView(control.buffer).setInt32(CMSG_HEADER + IPI_IFINDEX, to.ifindex ?? 0, true);
    // 0.0.0.0 lets the kernel pick the source from the outgoing NIC.
    ipv4ToBytes(to.sourceAddress ?? "0.0.0.0", control, CMSG_HEADER + IPI_SPEC_DST);
    control.fill(0, CMSG_HEADER + IPI_ADDR, CMSG_HEADER + PKTINFO_SIZE); // ignored by sendmsg
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

function writeSockaddr(out: Uint8Array, address: string, port: number): void {
  out.fill(0);
  out[0] = AF_INET; // sa_family_t is host order: little-endian on x86_64 and aarch64
  out[2] = port >> 8;
  out[3] = port & 0xff;
  ipv4ToBytes(address, out, 4);
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
