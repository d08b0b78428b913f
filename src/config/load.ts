/**
 * Builds the validated `Config` from the INI file (model.ts). Sections:
 * - `[proxy]` (required): the original proxyDHCPd's keys.
 * - `[ipxe]` (optional): the original's iPXE chainloading; `enabled` defaults to true when the
 *   section is present.
 * - `[server]`, `[bootstrap]` (optional, new): ports, transport, offer style, rate limit, log;
 *   boot files for arches beyond x86.
 * Unknown sections and keys are errors that list what is allowed, like the original's loader.
 */
import { ARCH_BY_NAME, ARCH_TYPES, type ArchType } from "../pxe/arch.ts";
import { ConfigError, placePrefix } from "./errors.ts";
import { type IniEntry, type IniSection, parseIni } from "./ini.ts";
import type { Config, LogFormat, LogLevel, TransportChoice, UefiOfferStyle } from "./model.ts";
import { DEFAULT_PORTS } from "./model.ts";
import { decodeConfigText, readConfigBytes } from "./read.ts";
import { sha256Hex } from "./sha256.ts";
import { RouteTable } from "./routes.ts";
import {
  absolutePath,
  boolean,
  bootFile,
  bootFileOrUrl,
  httpBootUrl,
  integer,
  interfaceList,
  listenAddressList,
  oneOf,
  serverAddress,
  ValueProblem,
  type ValueType,
} from "./values.ts";
import { vendorInfo } from "./vendor_info.ts";

/** Keys per section; `[bootstrap]` takes arch names or codes instead (see `archOfKey`). */
export const CONFIG_KEYS = {
  proxy: [
    "listen_address",
    "interface",
    "tftpd",
    "filename",
    "filename_efi32",
    "filename_efi64",
    "vendor_specific_information",
  ],
  ipxe: ["enabled", "legacy_bootstrap", "efi_bootstrap", "chainload_url"],
  server: [
    "dhcp_port",
    "pxe_port",
    "client_port",
    "transport",
    "uefi_offer",
    "rate_limit",
    "rate_burst",
    "log_format",
    "log_level",
    "log_file",
    "pid_file",
  ],
  bootstrap: [],
} as const satisfies Record<string, readonly string[]>;

type SectionName = keyof typeof CONFIG_KEYS;
const SECTION_NAMES = Object.keys(CONFIG_KEYS) as SectionName[];

export const DEFAULT_RATE_LIMIT = { perSecond: 10, burst: 20 } as const;

/** Reads, hashes (SHA-256 of the bytes as on disk) and validates a config file. */
export function loadConfigFile(path: string): Config {
  const bytes = readConfigBytes(path);
  return buildConfig(decodeConfigText(bytes, path), path, sha256Hex(bytes));
}

/** Validates config text; `hash` is the SHA-256 of its UTF-8 encoding. */
export function parseConfig(text: string, source: string): Config {
  return buildConfig(text, source, sha256Hex(new TextEncoder().encode(text)));
}

function buildConfig(text: string, source: string, hash: string): Config {
  const sections = parseIni(text, source);
  checkNames(sections, source);
  const section = (name: SectionName) => new SectionReader(source, name, sections);
  const proxy = section("proxy");
  if (proxy.absent) {
    throw new ConfigError(
      { file: source },
      "missing section [proxy]",
      "a [proxy] section (e.g. listen_address, tftpd and filename, as in the original " +
        "proxyDHCPd's proxy.ini)",
    );
  }
  const ipxe = section("ipxe");
  const server = section("server");
  const notices: { line: number; text: string }[] = [];

  // Plain values first, so a bad value is reported before any conflict that depends on it.
  const listenAddresses = proxy.read("listen_address", listenAddressList) ?? [];
  const interfaces = proxy.read("interface", interfaceList) ?? [];
  const nextServer = proxy.read("tftpd", serverAddress);
  let extraPxeSubOptions: Uint8Array | undefined;
  const vendor = proxy.read("vendor_specific_information", vendorInfo);
  if (vendor?.kind === "pxe-suboptions") extraPxeSubOptions = vendor.bytes;
  if (vendor?.kind === "ignored-text") {
    notices.push(
      proxy.notice(
        "vendor_specific_information",
        "not PXE-encoded hex; ignored (the original sent it raw in option 43, which firmware " +
          "may reject)",
      ),
    );
  }
  const ports = readPorts(server);
  const uefiOffer = server.read("uefi_offer", oneOf<UefiOfferStyle>(["binl", "direct"])) ?? "binl";
  const rateLimit = Object.freeze({
    perSecond: server.read("rate_limit", integer(0, 10000)) ?? DEFAULT_RATE_LIMIT.perSecond,
    burst: server.read("rate_burst", integer(1, 100000)) ?? DEFAULT_RATE_LIMIT.burst,
  });
  const log = Object.freeze({
    format: server.read("log_format", oneOf<LogFormat>(["auto", "text", "json"])) ?? "auto",
    level: server.read("log_level", oneOf<LogLevel>(["debug", "info", "warning", "error"])) ??
      "info",
  });
  const logFile = server.read("log_file", absolutePath);
  const pidFile = server.read("pid_file", absolutePath);
  const transport =
    server.read("transport", oneOf<TransportChoice>(["auto", "pktinfo", "portable"])) ?? "auto";

  const ipxeEnabled = !ipxe.absent && (ipxe.read("enabled", boolean) ?? true);
  const routes = new RouteTable(source);
  readFirmwareKeys(ipxeEnabled ? ipxe : proxy, routes);
  // The other mode's keys are still validated, then reported as unused rather than refused:
  // the original's own proxy.ini sets filename next to an enabled [ipxe].
  const unused = ipxeEnabled ? proxy : ipxe;
  for (const { key } of FIRMWARE_KEYS[unused.name] ?? []) {
    if (unused.read(key, bootFile) === undefined) continue;
    notices.push(
      unused.notice(
        key,
        "not used while [ipxe] is " +
          (ipxeEnabled ? "enabled (legacy_bootstrap and efi_bootstrap are served)" : "disabled"),
      ),
    );
  }
  const chainload = ipxe.read("chainload_url", bootFileOrUrl);
  if (ipxeEnabled && chainload === undefined) {
    throw new ConfigError(
      { file: source, line: ipxe.line, section: "ipxe", key: "chainload_url" },
      "missing, but [ipxe] is enabled",
      `${bootFileOrUrl.expected}; or enabled=false`,
    );
  }
  if (!ipxeEnabled && chainload !== undefined) {
    notices.push(ipxe.notice("chainload_url", "not used while [ipxe] is disabled"));
  }
  readBootstrap(section("bootstrap"), routes);
  if (routes.isEmpty) {
    throw new ConfigError(
      { file: source },
      "nothing to serve: no boot file is configured for any arch",
      ipxeEnabled
        ? "[ipxe] legacy_bootstrap or efi_bootstrap, or a [bootstrap] entry"
        : "[proxy] filename, filename_efi32 or filename_efi64, or a [bootstrap] entry",
    );
  }

  const ipxeScript = ipxeEnabled ? chainload : undefined;
  return Object.freeze({
    source,
    hash,
    interfaces: Object.freeze(interfaces),
    listenAddresses: Object.freeze(listenAddresses),
    ports,
    ...(nextServer === undefined ? {} : { nextServer }),
    firmwareRoutes: routes.firmware,
    httpRoutes: routes.http,
    ...(ipxeScript === undefined ? {} : { ipxeScript }),
    uefiOffer,
    ...(extraPxeSubOptions === undefined ? {} : { extraPxeSubOptions }),
    rateLimit,
    log,
    ...(logFile === undefined ? {} : { logFile }),
    ...(pidFile === undefined ? {} : { pidFile }),
    transport,
    notices: Object.freeze(notices.sort((a, b) => a.line - b.line).map((n) => n.text)),
  });
}

/**
 * Firmware boot files per mode: with [ipxe] enabled, iPXE binaries by option 93 (the original's
 * "[0,0]" and "[0,7]/[0,9]"); otherwise the original's fallback, which also served ia32 (6).
 */
const FIRMWARE_KEYS: Partial<Record<SectionName, { key: string; codes: number[] }[]>> = {
  ipxe: [
    { key: "legacy_bootstrap", codes: [0] },
    { key: "efi_bootstrap", codes: [7, 9] },
  ],
  proxy: [
    { key: "filename", codes: [0] },
    { key: "filename_efi32", codes: [6] },
    { key: "filename_efi64", codes: [7, 9] },
  ],
};

function readFirmwareKeys(reader: SectionReader, routes: RouteTable): void {
  for (const { key, codes } of FIRMWARE_KEYS[reader.name] ?? []) {
    const file = reader.read(key, bootFile);
    if (file === undefined) continue;
    const owner = { section: reader.name, key, line: reader.entry(key)!.line };
    for (const code of codes) routes.add("firmware", code, file, owner);
  }
}

/** Unknown sections and keys, in file order, before any value is looked at. */
function checkNames(sections: readonly IniSection[], file: string): void {
  for (const { name, line, entries } of sections) {
    if (!(SECTION_NAMES as string[]).includes(name)) {
      throw new ConfigError(
        { file, line, section: name },
        "unknown section",
        `one of ${SECTION_NAMES.map((s) => `[${s}]`).join(", ")}`,
      );
    }
    if (name === "bootstrap") continue;
    const allowed: readonly string[] = CONFIG_KEYS[name as SectionName];
    for (const { key, line } of entries) {
      if (!allowed.includes(key)) {
        throw new ConfigError(
          { file, line, section: name, key },
          "unknown key",
          `one of ${allowed.join(", ")}`,
        );
      }
    }
  }
}

function readPorts(server: SectionReader): Config["ports"] {
  const port = integer(1, 65535);
  const dhcp = server.read("dhcp_port", port) ?? DEFAULT_PORTS.dhcp;
  const pxe = server.read("pxe_port", port) ?? DEFAULT_PORTS.pxe;
  const client = server.read("client_port", port) ?? DEFAULT_PORTS.client;
  if (dhcp === pxe) {
    // Blame the later of the two lines; a default has no line.
    const dhcpEntry = server.entry("dhcp_port");
    const pxeEntry = server.entry("pxe_port");
    const blamePxe = pxeEntry !== undefined &&
      (dhcpEntry === undefined || pxeEntry.line > dhcpEntry.line);
    const [key, other, otherEntry] = blamePxe
      ? ["pxe_port", "dhcp_port", dhcpEntry]
      : ["dhcp_port", "pxe_port", pxeEntry];
    const otherWhere = otherEntry === undefined ? "its default" : `line ${otherEntry.line}`;
    throw new ConfigError(
      { file: server.file, line: server.entry(key)!.line, section: "server", key },
      `${dhcp} is also ${other} (${otherWhere})`,
      "different ports for dhcp_port and pxe_port (defaults 67 and 4011)",
    );
  }
  return Object.freeze({ dhcp, pxe, client });
}

const ARCH_KEY_EXPECTED = "an arch name (" + [...ARCH_BY_NAME.keys()].join(", ") +
  ") or a decimal arch code 0-65535";

function archOfKey(key: string): ArchType | { code: number; kind: "other" } | undefined {
  const named = ARCH_BY_NAME.get(key);
  if (named !== undefined) return named;
  if (!/^(0|[1-9][0-9]{0,4})$/.test(key) || Number(key) > 65535) return undefined;
  const code = Number(key);
  return ARCH_TYPES.get(code) ?? { code, kind: "other" };
}

/** `[bootstrap]`: UEFI HTTP arches get an http(s) URL route, all others a firmware route. */
function readBootstrap(bootstrap: SectionReader, routes: RouteTable): void {
  for (const entry of bootstrap.entries) {
    const arch = archOfKey(entry.key);
    if (arch === undefined) {
      throw new ConfigError(
        { file: bootstrap.file, line: entry.line, section: "bootstrap", key: entry.key },
        "unknown arch",
        ARCH_KEY_EXPECTED,
      );
    }
    const http = arch.kind === "uefi-http";
    const target = bootstrap.read(entry.key, http ? httpBootUrl : bootFileOrUrl)!;
    routes.add(http ? "http" : "firmware", arch.code, target, {
      section: "bootstrap",
      key: entry.key,
      line: entry.line,
    });
  }
}

/** One section (possibly absent) and typed access to its values with placed errors. */
class SectionReader {
  readonly #section: IniSection | undefined;

  constructor(
    readonly file: string,
    readonly name: SectionName,
    sections: readonly IniSection[],
  ) {
    this.#section = sections.find((s) => s.name === name);
  }

  get absent(): boolean {
    return this.#section === undefined;
  }

  get line(): number | undefined {
    return this.#section?.line;
  }

  get entries(): readonly IniEntry[] {
    return this.#section?.entries ?? [];
  }

  entry(key: string): IniEntry | undefined {
    return this.entries.find((e) => e.key === key);
  }

  /** A notice about a present key, placed like an error message. */
  notice(key: string, text: string): { line: number; text: string } {
    const line = this.entry(key)!.line;
    return { line, text: placePrefix({ file: this.file, line, section: this.name, key }) + text };
  }

  /** The parsed value, or undefined when the key is absent. Empty values are errors. */
  read<T>(key: string, type: ValueType<T>): T | undefined {
    const entry = this.entry(key);
    if (entry === undefined) return undefined;
    const place = { file: this.file, line: entry.line, section: this.name, key };
    if (entry.value === "") throw new ConfigError(place, "empty value", type.expected);
    try {
      return type.parse(entry.value);
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error;
      throw new ConfigError(place, error.message, error.expected ?? type.expected);
    }
  }
}
