/**
 * Loads the real firmware packets of `tests/fixtures/public/` together with their manifest entry
 * (provenance and the field values measured with tshark and a separate Python parser).
 */

/** One entry of `manifest.json`; only the fields the tests read are typed. */
export interface FixtureEntry {
  file: string;
  sha256: string;
  length: number;
  role: "client" | "server";
  message_type: string;
  arch_option93: number | null;
  udp_src_port: number;
  udp_dst_port: number;
  /** `0x`-prefixed hex. */
  xid: string;
  /** Colon-separated MAC. */
  chaddr: string;
  vendor_class_60: string | null;
  options_order: number[];
  parameter_request_list_55: number[] | null;
  max_message_size_57: number | null;
  /** Hex of the 3 bytes. */
  ndi_94: string | null;
  /** Hex of the 17 bytes, type byte included. */
  guid_97: string | null;
  /** Hex of the raw option bytes. */
  user_class_77: string | null;
  has_option_175: boolean;
  sname: string | null;
  file_field: string | null;
  flags: string[];
  notes: string;
}

export interface Fixture {
  name: string;
  bytes: Uint8Array;
  entry: FixtureEntry;
}

const FIXTURE_DIR = new URL("../fixtures/public/", import.meta.url);

let manifest: FixtureEntry[] | undefined;

/** Every manifest entry, in manifest order. */
export function fixtureEntries(): FixtureEntry[] {
  manifest ??= JSON.parse(
    Deno.readTextFileSync(new URL("manifest.json", FIXTURE_DIR)),
  ).fixtures as FixtureEntry[];
  return manifest;
}

/** A fixture's bytes and manifest entry, by file name (e.g. `ipxe_pcbios-arch0-discover-67.bin`). */
export function loadFixture(name: string): Fixture {
  const entry = fixtureEntries().find((e) => e.file === name);
  if (entry === undefined) throw new Error(`Cannot load fixture ${name}: not in manifest.json`);
  return { name, bytes: Deno.readFileSync(new URL(name, FIXTURE_DIR)), entry };
}

/** Every fixture listed in the manifest. */
export function allFixtures(): Fixture[] {
  return fixtureEntries().map((e) => loadFixture(e.file));
}

/** The `.bin` file names present on disk (to catch files missing from the manifest). */
export function fixtureFilesOnDisk(): string[] {
  return [...Deno.readDirSync(FIXTURE_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".bin"))
    .map((e) => e.name)
    .sort();
}

/** Hex string (no separators) → bytes. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-f]/gi, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Colon-separated MAC → bytes. */
export function macBytes(mac: string): Uint8Array {
  return fromHex(mac.replaceAll(":", ""));
}
