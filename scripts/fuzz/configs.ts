/**
 * The configurations the fuzzer and the property tests route with: one per offer style the
 * router has, each built from INI text by the real loader (`parseConfig`).
 */
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/model.ts";

export interface NamedConfig {
  readonly name: string;
  readonly config: Config;
  /** The address replies are built as (option 54, siaddr when no next server). */
  readonly server: { readonly address: string };
}

/** [ipxe] chainloading with extra arches: arm64 UEFI by TFTP, x64 UEFI HTTP boot, Raspberry Pi. */
const IPXE_WITH_BOOTSTRAP = `
[proxy]
listen_address = 192.168.1.10
tftpd = 192.168.1.20
vendor_specific_information = 0f 03 61 62 63

[ipxe]
enabled = true
legacy_bootstrap = undionly.kpxe
efi_bootstrap = ipxe.efi
chainload_url = http://192.168.1.20/boot.ipxe

[bootstrap]
arm64-uefi = snp-arm64.efi
x64-uefi-http = http://192.168.1.20/efi/ipxe.efi
arm-rpiboot = tftp://192.168.1.20/rpi/bootcode.bin
arm64-uboot = uboot/boot.scr
`;

/** The original proxyDHCPd's fallback mode: [ipxe] off, iPXE routed by arch like firmware. */
const IPXE_DISABLED = `
[proxy]
listen_address = 10.0.0.1
filename = pxelinux.0
filename_efi32 = efi32/syslinux.efi
filename_efi64 = efi64/syslinux.efi
vendor_specific_information = "proxyDHCPd"

[ipxe]
enabled = false
`;

/** The longest boot file the loader accepts (the BOOTP file field holds 127 bytes + NUL). */
const LONGEST_FILE = "riscv64/" + "x".repeat(115) + ".efi";
/** The most extra PXE sub-options the loader accepts (251 bytes: one sub-option 200 of 249). */
const LARGEST_EXTRAS = "c8 f9 " + "ab ".repeat(249).trim();

/**
 * UEFI firmware gets 43 = {6: 8} and the file in the OFFER (smee style), no 4011 round trip.
 * Values at the loader's limits, so replies are as large as a valid config makes them.
 */
const UEFI_DIRECT = `
[proxy]
listen_address = 172.16.5.1
tftpd = 172.16.5.2
filename = undionly.kpxe
filename_efi64 = ipxe.efi
vendor_specific_information = ${LARGEST_EXTRAS}

[server]
uefi_offer = direct

[bootstrap]
riscv64-uefi = ${LONGEST_FILE}
x64-uefi-http = http://172.16.5.2/x64.efi
`;

function named(name: string, text: string): NamedConfig {
  const config = parseConfig(text, `${name}.ini`);
  return { name, config, server: { address: config.listenAddresses[0] } };
}

export function fuzzConfigs(): NamedConfig[] {
  return [
    named("ipxe-bootstrap", IPXE_WITH_BOOTSTRAP),
    named("ipxe-disabled", IPXE_DISABLED),
    named("uefi-direct", UEFI_DIRECT),
  ];
}
