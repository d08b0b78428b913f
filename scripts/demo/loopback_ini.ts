/** The loopback config the demo, the integration tests and the soak run the daemon with. */
import type { Ports } from "../../src/config/model.ts";

/**
 * An INI in the original proxyDHCPd's format on 127.0.0.1, plus `[server]` ports;
 * `serverLines` are added to `[server]`, `tail` after it (e.g. a `[bootstrap]` section).
 * transport=pktinfo pins broadcast OFFERs to the loopback NIC they answer: the portable
 * fallback would send them along the default route, out of this machine (toolchain.md).
 */
export function loopbackIni(ports: Ports, serverLines = "", tail = ""): string {
  return `[proxy]
listen_address=127.0.0.1
tftpd=127.0.0.1

[ipxe]
enabled=true
legacy_bootstrap=undionly.kpxe
efi_bootstrap=ipxe.efi
chainload_url=http://127.0.0.1/boot.ipxe

[server]
dhcp_port=${ports.dhcp}
pxe_port=${ports.pxe}
client_port=${ports.client}
transport=pktinfo
${serverLines}${tail}`;
}
