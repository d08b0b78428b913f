/**
 * Firmware quirks, as data. Each row corrects what a known firmware family says about itself;
 * `tests/pxe/quirks_test.ts` holds one real packet per row (`vector`) and checks the row fires.
 */

export interface ClientClaims {
  /** Lowercase `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  /** Option 93 as sent, if well-formed. */
  readonly archs?: readonly number[];
  /** Option 60 as sent. */
  readonly vendorClass?: string;
}

export interface ArchQuirk {
  readonly name: string;
  /** Why the row exists, with its source. */
  readonly why: string;
  /** A fixture under tests/fixtures/ that this row must match. */
  readonly vector: string;
  /** The arch this firmware really is, or undefined when the row does not apply. */
  readonly archFor: (claims: ClientClaims, archSoFar: number | undefined) => number | undefined;
}

const RPI_OUIS = new Set(["b8:27:eb", "dc:a6:32", "e4:5f:01", "28:cd:c1", "d8:3a:dd"]);
const ARCH_IN_VENDOR_CLASS = /^(?:PXEClient|HTTPClient):Arch:([0-9A-Fa-f]{5})(?::|$)/;

/** Applied in order; each sees the arch the previous rows settled on. */
export const ARCH_QUIRKS: readonly ArchQuirk[] = [
  {
    name: "arch-from-vendor-class",
    why: "Some ROMs omit option 93 but still say PXEClient:Arch:NNNNN in option 60 " +
      "(RFC 4578 §2.1 wants both; garybowers/bootimus#118 for pftf EDK2).",
    vector: "public/rpi4_eeprom_bootloader-noarch-request-67.bin",
    archFor: (claims, arch) => {
      if (arch !== undefined || claims.vendorClass === undefined) return undefined;
      const digits = ARCH_IN_VENDOR_CLASS.exec(claims.vendorClass)?.[1];
      if (digits === undefined) return undefined;
      // U-Boot RISC-V writes the number in hex ("Arch:0001b" for 27); everyone else in decimal.
      return /^\d+$/.test(digits) ? parseInt(digits, 10) : parseInt(digits, 16);
    },
  },
  {
    name: "raspberry-pi-reports-bios",
    why: "The Raspberry Pi boot ROM and EEPROM bootloader send arch 0 (x86 BIOS); known by OUI " +
      "and treated as arm-rpiboot (41) as smee does (protocol.md §7.7, raspberrypi/rpi-eeprom#182).",
    vector: "public/rpi4_eeprom_bootloader-arch0-discover-67.bin",
    archFor: (claims, arch) => arch === 0 && RPI_OUIS.has(claims.mac.slice(0, 8)) ? 41 : undefined,
  },
];

/** The arch to route by: the first entry of option 93, then the quirk rows. */
export function resolveArch(
  claims: ClientClaims,
  known: (code: number) => boolean,
): number | undefined {
  // RFC 4578 allows a list; take the first entry we know (smee does the same, protocol.md §8).
  let arch = claims.archs?.find(known) ?? claims.archs?.[0];
  for (const quirk of ARCH_QUIRKS) arch = quirk.archFor(claims, arch) ?? arch;
  return arch;
}
