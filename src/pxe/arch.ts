/**
 * Client system architecture types (RFC 4578 §2.1, IANA "Processor Architecture Types", with the
 * errata that swapped 7 and 9; protocol.md §8). `name` is the key used in the config file.
 */
export type BootKind = "bios" | "uefi" | "uefi-http" | "uboot" | "rpi" | "other";

export interface ArchType {
  readonly code: number;
  /** Config key and log name, e.g. `x64-uefi`. */
  readonly name: string;
  readonly kind: BootKind;
}

const table: ArchType[] = [
  { code: 0, name: "x86-bios", kind: "bios" },
  { code: 1, name: "nec-pc98", kind: "other" },
  { code: 2, name: "itanium-uefi", kind: "uefi" },
  { code: 3, name: "dec-alpha", kind: "other" },
  { code: 4, name: "arc-x86", kind: "other" },
  { code: 5, name: "intel-lean-client", kind: "other" },
  { code: 6, name: "ia32-uefi", kind: "uefi" },
  { code: 7, name: "x64-uefi", kind: "uefi" },
  { code: 8, name: "xscale-uefi", kind: "uefi" },
  // 9 is "EFI BC" after RFC 4578 errata 4624, but x64 firmware sends it (protocol.md pitfall 20).
  { code: 9, name: "x64-uefi-bc", kind: "uefi" },
  { code: 10, name: "arm32-uefi", kind: "uefi" },
  { code: 11, name: "arm64-uefi", kind: "uefi" },
  { code: 12, name: "ppc-openfirmware", kind: "other" },
  { code: 13, name: "ppc-epapr", kind: "other" },
  { code: 14, name: "power-opal", kind: "other" },
  { code: 15, name: "x86-uefi-http", kind: "uefi-http" },
  { code: 16, name: "x64-uefi-http", kind: "uefi-http" },
  { code: 17, name: "ebc-uefi-http", kind: "uefi-http" },
  { code: 18, name: "arm32-uefi-http", kind: "uefi-http" },
  { code: 19, name: "arm64-uefi-http", kind: "uefi-http" },
  { code: 20, name: "x86-bios-http", kind: "other" },
  { code: 21, name: "arm32-uboot", kind: "uboot" },
  { code: 22, name: "arm64-uboot", kind: "uboot" },
  { code: 23, name: "arm32-uboot-http", kind: "other" },
  { code: 24, name: "arm64-uboot-http", kind: "other" },
  { code: 25, name: "riscv32-uefi", kind: "uefi" },
  { code: 26, name: "riscv32-uefi-http", kind: "uefi-http" },
  { code: 27, name: "riscv64-uefi", kind: "uefi" },
  { code: 28, name: "riscv64-uefi-http", kind: "uefi-http" },
  { code: 29, name: "riscv128-uefi", kind: "uefi" },
  { code: 30, name: "riscv128-uefi-http", kind: "uefi-http" },
  { code: 31, name: "s390-basic", kind: "other" },
  { code: 32, name: "s390-extended", kind: "other" },
  { code: 33, name: "mips32-uefi", kind: "uefi" },
  { code: 34, name: "mips64-uefi", kind: "uefi" },
  { code: 35, name: "sunway32-uefi", kind: "uefi" },
  { code: 36, name: "sunway64-uefi", kind: "uefi" },
  { code: 37, name: "loongarch32-uefi", kind: "uefi" },
  { code: 38, name: "loongarch32-uefi-http", kind: "uefi-http" },
  { code: 39, name: "loongarch64-uefi", kind: "uefi" },
  { code: 40, name: "loongarch64-uefi-http", kind: "uefi-http" },
  { code: 41, name: "arm-rpiboot", kind: "rpi" },
];

export const ARCH_TYPES: ReadonlyMap<number, ArchType> = new Map(table.map((a) => [a.code, a]));
export const ARCH_BY_NAME: ReadonlyMap<string, ArchType> = new Map(table.map((a) => [a.name, a]));

/** Log name of an arch code, also for codes outside the table. */
export function archName(code: number | undefined): string {
  if (code === undefined) return "none";
  return ARCH_TYPES.get(code)?.name ?? `arch-${code}`;
}
