/**
 * The few libc functions the pktinfo transport needs, loaded through Deno FFI.
 *
 * Everything here works with a path-scoped `--allow-ffi=<LIBC_PATH>`: with a scoped grant Deno
 * allows calling the loaded symbols but refuses `Deno.UnsafePointer` and `Deno.UnsafePointerView`
 * (measured on Deno 2.9.6). So addresses and errno are read through libc itself (`memmove`
 * returning its destination, `memcpy` from `__errno_location()`), never through pointer objects.
 *
 * Constants and errno numbers are Linux's generic values, identical on x86_64 and aarch64.
 */

/**
 * Debian's multiarch libc for this CPU (`x86_64-linux-gnu`, `aarch64-linux-gnu`): the path to
 * grant with `--allow-ffi=`. It is a real file with and without the merged /usr; Deno checks the
 * path as written (granting /usr/lib/… does not allow /lib/…), so grant exactly this string.
 */
export const LIBC_PATH = `/lib/${Deno.build.arch}-linux-gnu/libc.so.6`;

/** Tried in order when LIBC_PATH cannot be loaded (other distributions, hand-made images). */
export const LIBC_CANDIDATES: readonly string[] = [
  LIBC_PATH,
  `/usr${LIBC_PATH}`,
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/lib/libc.so.6",
  "/usr/lib/libc.so.6",
];

export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_BROADCAST = 6;
export const SO_RCVBUF = 8;
/** Like SO_RCVBUF but ignores net.core.rmem_max; needs CAP_NET_ADMIN. */
export const SO_RCVBUFFORCE = 33;
export const IPPROTO_IP = 0;
export const IP_PKTINFO = 8;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const MSG_CTRUNC = 0x08;
export const POLLIN = 0x001;
export const SHUT_RDWR = 2;

export const EINTR = 4;
export const EAGAIN = 11;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // ssize_t results read as i32: the low half of the result register on x86_64 and aarch64.
  // Exact here (a datagram is at most 65535 bytes, errors are -1) and it avoids one BigInt per
  // call, which "isize" would allocate.
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** Up to `vlen` datagrams in one call; the timeout is always NULL (with MSG_DONTWAIT). */
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  /** Sends in order until one fails; returns how many went, -1 only when the first failed. */
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  /** NUL-terminated name in, ifindex out (0: no such interface). */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  /** Runs on a Deno worker thread and returns a Promise, so waiting never blocks JS. */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  __errno_location: { parameters: [], result: "pointer" },
  /** `memcpy(dst, errnoPointer, 4)` reads errno without UnsafePointerView. */
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
  /** `memmove(buf, buf, 0)` returns buf's address as a number, without Deno.UnsafePointer. */
  memmove: { parameters: ["buffer", "buffer", "usize"], result: "usize" },
  /** XSI strerror_r: always writes into the caller's buffer (glibc exports it for every arch). */
  __xpg_strerror_r: { parameters: ["i32", "buffer", "usize"], result: "i32", optional: true },
} as const;

type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** libc loaded once per isolate; `errno()` must be called right after the failing call. */
export interface Libc {
  readonly path: string;
  readonly symbols: LibcSymbols;
  /** errno of the last failed synchronous call on this thread. */
  errno(): number;
  /** Address of a buffer's first byte. Only for buffers whose backing store cannot move. */
  addressOf(buffer: Uint8Array): bigint;
  /** Text of an errno (strerror), or "" when libc cannot say. */
  describe(errno: number): string;
  /** Kernel index of the interface called `name`, 0 when there is none. */
  ifNameToIndex(name: string): number;
}

let loaded: Libc | undefined;

/**
 * Loads libc from the first candidate that FFI may open, once. Throws when none can be loaded,
 * naming each path and why.
 */
export function loadLibc(candidates: readonly string[] = LIBC_CANDIDATES): Libc {
  if (loaded !== undefined) return loaded;
  if (Deno.build.os !== "linux") {
    throw new Deno.errors.NotSupported(
      `Cannot load libc: the pktinfo transport is Linux-only (this is ${Deno.build.os})`,
    );
  }
  const failures: string[] = [];
  for (const path of candidates) {
    const state = Deno.permissions.querySync({ name: "ffi", path }).state;
    if (state !== "granted") {
      failures.push(`${path}: FFI not permitted`);
      continue;
    }
    try {
      loaded = bind(path, Deno.dlopen(path, SYMBOLS).symbols);
      return loaded;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new Error(`Cannot load libc: ${failures.join("; ")}`);
}

function bind(path: string, symbols: LibcSymbols): Libc {
  // Off-heap ArrayBuffers: V8 never moves their backing store, so their addresses stay valid.
  const errnoBox = new Int32Array(new ArrayBuffer(4));
  const textBox = new Uint8Array(new ArrayBuffer(256));
  // errno lives in thread-local storage; this isolate always runs on the same thread.
  const errnoPointer = symbols.__errno_location();
  return {
    path,
    symbols,
    errno() {
      symbols.memcpy(errnoBox, errnoPointer, 4n);
      return errnoBox[0];
    },
    addressOf(buffer) {
      return BigInt(symbols.memmove(buffer, buffer, 0n));
    },
    describe(errno) {
      const strerror = symbols.__xpg_strerror_r;
      if (strerror === null || strerror(errno, textBox, BigInt(textBox.length)) !== 0) return "";
      const end = textBox.indexOf(0);
      return new TextDecoder().decode(textBox.subarray(0, end < 0 ? textBox.length : end));
    },
    ifNameToIndex(name) {
      return symbols.if_nametoindex(new TextEncoder().encode(`${name}\0`));
    },
  };
}

/** Linux errno names for the numbers a UDP socket can plausibly report. */
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  4: "EINTR",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  19: "ENODEV",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  90: "EMSGSIZE",
  92: "ENOPROTOOPT",
  93: "EPROTONOSUPPORT",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  105: "ENOBUFS",
  107: "ENOTCONN",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};

/** Deno's own error class for an errno, matching what Deno.listenDatagram throws. */
const ERRNO_CLASSES: Readonly<Record<number, new (message: string) => Error>> = {
  1: Deno.errors.PermissionDenied,
  4: Deno.errors.Interrupted,
  9: Deno.errors.BadResource,
  11: Deno.errors.WouldBlock,
  13: Deno.errors.PermissionDenied,
  98: Deno.errors.AddrInUse,
  99: Deno.errors.AddrNotAvailable,
  101: Deno.errors.NetworkUnreachable,
  110: Deno.errors.TimedOut,
  111: Deno.errors.ConnectionRefused,
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/**
 * "Cannot <action>: EADDRINUSE (errno 98, Address already in use)" as the matching Deno error
 * class (plain Error for the rest), with `code` set to the errno name like Deno's own errors.
 */
export function errnoError(action: string, errno: number, description = ""): Error {
  const name = errnoName(errno);
  const detail = description === "" ? `errno ${errno}` : `errno ${errno}, ${description}`;
  const ErrorClass = ERRNO_CLASSES[errno] ?? Error;
  const error = new ErrorClass(`Cannot ${action}: ${name} (${detail})`);
  return Object.assign(error, { code: name, errno });
}
