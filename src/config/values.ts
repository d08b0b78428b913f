/**
 * Value types of the config file. Each knows what it expects (for messages) and parses a
 * non-empty, trimmed, ASCII value or throws `ValueProblem`; the loader adds file, line, section
 * and key.
 */
import { isIpv4 } from "../dhcp/ipv4.ts";

export interface ValueType<T> {
  /** Completes "expected …" in error messages. */
  readonly expected: string;
  parse(value: string): T;
}

/** A bad value; the loader turns it into a `ConfigError` at the entry's place. */
export class ValueProblem extends Error {
  override name = "ValueProblem";
  /** Overrides the type's `expected` when the problem needs a more precise hint. */
  readonly expected?: string;

  constructor(problem: string, expected?: string) {
    super(problem);
    if (expected !== undefined) this.expected = expected;
  }
}

const quoted = (value: string) => JSON.stringify(value);

/** BOOTP `file` is 128 bytes and must stay NUL-terminated for firmware (RFC 951). */
export const MAX_BOOT_FILE_BYTES = 127;

const IPV4_SHAPE = "four decimal numbers 0-255 like 192.168.1.10, no leading zeros or hex";

function checkIpv4(value: string): void {
  if (!isIpv4(value)) throw new ValueProblem(`${quoted(value)} is not an IPv4 address`);
}

/** True for 0.0.0.0, 255.255.255.255 and 224.0.0.0/4: never a server's address. */
export function isUnusableServerAddress(ip: string): boolean {
  const first = Number(ip.split(".")[0]);
  return ip === "0.0.0.0" || ip === "255.255.255.255" || (first >= 224 && first <= 239);
}

/** One unicast IPv4 address (e.g. `tftpd`: it becomes siaddr and sname). */
export const serverAddress: ValueType<string> = {
  expected: `a unicast IPv4 address (${IPV4_SHAPE}; not 0.0.0.0, broadcast or multicast)`,
  parse(value) {
    checkIpv4(value);
    if (isUnusableServerAddress(value)) {
      throw new ValueProblem(`${value} is not a usable server address`);
    }
    return value;
  },
};

/** Items separated by commas and/or blanks; an empty item (`a,,b`) is an error. */
function splitList(value: string): string[] {
  const items = value.split(/[ \t]*,[ \t]*|[ \t]+/);
  if (items.some((item) => item === "")) {
    throw new ValueProblem(`empty item in list ${quoted(value)}`);
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw new ValueProblem(`${quoted(item)} is listed twice`);
    seen.add(item);
  }
  return items;
}

/** `listen_address`: addresses to serve as; `0.0.0.0` alone means every interface's own. */
export const listenAddressList: ValueType<string[]> = {
  expected: `unicast IPv4 addresses separated by commas or spaces (${IPV4_SHAPE}), ` +
    "or 0.0.0.0 alone for the receiving interface's address",
  parse(value) {
    const items = splitList(value);
    for (const item of items) checkIpv4(item);
    if (items.includes("0.0.0.0")) {
      if (items.length > 1) throw new ValueProblem("0.0.0.0 (all) is combined with addresses");
      return [];
    }
    for (const item of items) {
      if (isUnusableServerAddress(item)) {
        throw new ValueProblem(`${item} is not a usable server address`);
      }
    }
    return items;
  },
};

/** Linux IFNAMSIZ is 16 with the NUL; `.` and `..` are refused by the kernel. */
const INTERFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

export const interfaceList: ValueType<string[]> = {
  expected: "interface names separated by commas or spaces, each 1-15 characters of " +
    "A-Z a-z 0-9 _ . : @ -",
  parse(value) {
    const items = splitList(value);
    for (const item of items) {
      if (!INTERFACE_NAME.test(item) || item === "." || item === "..") {
        throw new ValueProblem(`${quoted(item)} is not an interface name`);
      }
    }
    return items;
  },
};

/** Printable ASCII without blanks (0x21-0x7E); firmware copies it into the BOOTP file field. */
function checkBootFileText(value: string): void {
  const bad = /[^\x21-\x7e]/.exec(value);
  if (bad !== null) {
    const what = bad[0] === " " || bad[0] === "\t" ? "a blank" : "a control character";
    throw new ValueProblem(`${quoted(value)} contains ${what}`);
  }
  if (value.length > MAX_BOOT_FILE_BYTES) {
    throw new ValueProblem(
      `boot file is ${value.length} bytes long, more than the BOOTP file field holds ` +
        `(${MAX_BOOT_FILE_BYTES})`,
    );
  }
}

const BOOT_FILE_SHAPE = `printable ASCII, no blanks, at most ${MAX_BOOT_FILE_BYTES} bytes`;

/** `filename*`, `*_bootstrap`: a path on the TFTP server (`tftpd`). */
export const bootFile: ValueType<string> = {
  expected: `a boot file name (${BOOT_FILE_SHAPE})`,
  parse(value) {
    checkBootFileText(value);
    return value;
  },
};

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Validates a URL as written, not as WHATWG would normalise it: firmware sees the raw text, so
 * `http://192.168.1.010/` (which `URL` reads as .8) or `http:/h/x` must not pass.
 * Returns the host as written.
 */
function checkUrl(value: string, schemes: readonly string[]): string {
  const scheme = SCHEME.exec(value)![1].toLowerCase();
  if (!schemes.includes(scheme)) {
    throw new ValueProblem(`URL scheme "${scheme}:" is not supported`);
  }
  const rest = value.slice(scheme.length + 1);
  if (!rest.startsWith("//")) {
    throw new ValueProblem(`${quoted(value)} lacks "//" after the scheme`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValueProblem(`${quoted(value)} is not a valid URL`);
  }
  const authority = rest.slice(2).split(/[/?#]/, 1)[0];
  if (authority.includes("@")) throw new ValueProblem(`${quoted(value)} contains user info`);
  const host = authority.startsWith("[")
    ? authority.slice(0, authority.indexOf("]") + 1)
    : authority.split(":", 1)[0];
  if (host === "") throw new ValueProblem(`${quoted(value)} has no host`);
  if (url.hostname.toLowerCase() !== host.toLowerCase()) {
    throw new ValueProblem(`host ${quoted(host)} would be read as ${url.hostname}`);
  }
  return host;
}

/** `chainload_url` and non-HTTP `[bootstrap]` values: a TFTP file name or a URL. */
export const bootFileOrUrl: ValueType<string> = {
  expected: "a boot file name or a tftp://, http:// or https:// URL with a host " +
    `(${BOOT_FILE_SHAPE})`,
  parse(value) {
    checkBootFileText(value);
    if (SCHEME.test(value)) checkUrl(value, ["tftp", "http", "https"]);
    return value;
  },
};

/**
 * UEFI HTTP boot through a proxy: EDK2 takes the URL from the proxy offer only when its host is
 * an IP literal; a name would need DNS from the main server's offer (protocol.md §5.1, §7.5).
 */
export const httpBootUrl: ValueType<string> = {
  expected: "an absolute http:// or https:// URL whose host is an IPv4 address, e.g. " +
    `http://192.168.1.10/boot/bootx64.efi (${BOOT_FILE_SHAPE})`,
  parse(value) {
    checkBootFileText(value);
    if (!SCHEME.test(value)) throw new ValueProblem(`${quoted(value)} is not a URL`);
    const host = checkUrl(value, ["http", "https"]);
    if (!isIpv4(host)) {
      throw new ValueProblem(
        `host ${quoted(host)} is not an IPv4 address (UEFI HTTP boot via a proxy cannot ` +
          "resolve names)",
      );
    }
    if (isUnusableServerAddress(host)) {
      throw new ValueProblem(`${host} is not a usable server address`);
    }
    return value;
  },
};

const TRUE_WORDS = ["true", "yes", "on", "1"];
const FALSE_WORDS = ["false", "no", "off", "0"];

/** configparser's `getboolean` words, case-insensitive like there. */
export const boolean: ValueType<boolean> = {
  expected: "true or false (also yes/no, on/off, 1/0)",
  parse(value) {
    const word = value.toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw new ValueProblem(`${quoted(value)} is not a boolean`);
  },
};

export function integer(min: number, max: number): ValueType<number> {
  return {
    expected: `a decimal integer from ${min} to ${max}`,
    parse(value) {
      if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) {
        throw new ValueProblem(`${quoted(value)} is not a decimal integer`);
      }
      const number = Number(value);
      if (number < min || number > max) throw new ValueProblem(`${number} is out of range`);
      return number;
    },
  };
}

export function oneOf<T extends string>(words: readonly T[]): ValueType<T> {
  return {
    expected: `one of ${words.join(", ")}`,
    parse(value) {
      if (!(words as readonly string[]).includes(value)) {
        throw new ValueProblem(`${quoted(value)} is not a known value`);
      }
      return value as T;
    },
  };
}

/** A file the daemon writes (`log_file`, `pid_file`): absolute, so `-d` cannot change its meaning. */
export const absolutePath: ValueType<string> = {
  expected: "an absolute file path without blanks or commas, e.g. /run/proxydhcpd.pid",
  parse(value) {
    if (!value.startsWith("/") || value.endsWith("/")) {
      throw new ValueProblem(`${quoted(value)} is not an absolute file path`);
    }
    // Deno splits permission lists on commas, so a comma would widen the --allow-write grant.
    if (/[\s,]/.test(value)) throw new ValueProblem(`${quoted(value)} contains a blank or comma`);
    return value;
  },
};
