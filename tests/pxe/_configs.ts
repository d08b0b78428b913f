/** Configs shared by the router tests, written as an admin would write them. */
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/model.ts";

/** The original proxyDHCPd's README example, plus per-arch routes beyond x86. */
export const IPXE_INI = `
[proxy]
listen_address=192.168.188.20
tftpd=192.168.188.21
filename=undionly.kpxe
vendor_specific_information="proxyDHCPd"

[ipxe]
enabled=true
legacy_bootstrap=undionly.kpxe
efi_bootstrap=ipxe.efi
chainload_url=http://192.168.188.21/boot.ipxe

[bootstrap]
arm64-uefi=snp-arm64.efi
x64-uefi-http=http://192.168.188.21/ipxe.efi
arm-rpiboot=rpi/bootcode.bin
`;

/** `[ipxe] enabled=false`: the original's fallback keys. */
export const FALLBACK_INI = `
[proxy]
tftpd=10.0.0.5
filename=pxelinux.0
filename_efi32=bootia32.efi
filename_efi64=bootx64.efi

[ipxe]
enabled=false
`;

export const ipxeConfig: Config = parseConfig(IPXE_INI, "ipxe.ini");
export const fallbackConfig: Config = parseConfig(FALLBACK_INI, "fallback.ini");
export const directConfig: Config = parseConfig(
  IPXE_INI + "\n[server]\nuefi_offer=direct\n",
  "direct.ini",
);
