/** The README of tests/fixtures/qemu/, regenerated with the fixtures so the table stays true. */
import type { QemuFixtureEntry } from "./fixtures.ts";

export function fixturesReadme(entries: readonly QemuFixtureEntry[]): string {
  const rows = entries.map((e) => {
    const cells = [
      `\`${e.file}\``,
      e.scenario,
      e.stage,
      `${e.sender.name} ${e.sender.version}`,
      e.message_type,
      e.arch_list_93.join(",") || "-",
      `${e.udp_src_port}→${e.udp_dst_port}`,
      e.vendor_class_60 ?? "-",
      e.user_class_77 ? "yes" : "-",
      e.has_option_175 ? "yes" : "-",
      e.proxy,
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return `# Real firmware packets captured under QEMU

Client DHCP packets sent by real network-boot firmware (EDK2's PXE in OVMF and AAVMF, iPXE NIC
ROMs, a chain-loaded ipxe.efi) booting under QEMU (TCG) on the isolated namespace network of the
real-firmware e2e suite (\`scripts/e2e/\`), with dnsmasq as an address-only primary and, as the
ProxyDHCP server, proxydhcpd or (column "proxy") dnsmasq in proxy mode: with dnsmasq, iPXE asks
again on udp/4011 (BIOS iPXE with xid 0 and a boot-server discovery), so those packets exist too.

Each \`.bin\` is one BOOTP/DHCPv4 message: the exact UDP payload as captured by
\`tcpdump -U -w\` on the VM's tap (padding after the end option kept, nothing edited). No
Ethernet/IP/UDP headers; \`manifest.json\` records ports, addresses and source MAC.

\`manifest.json\` has, per file: sha256, length, scenario, boot stage (\`firmware\` = EDK2's own
PXE, \`ipxe\` = iPXE), the Debian package (and version) whose code sent the packet, every firmware
package of the machine, QEMU binary, version and machine type, NIC, capture date, the proxy under
test, message type, UDP ports, xid, chaddr, flags, option 93 list, 60, 77 (hex), whether 175 is
present, option order, 55, 57, 94 and 97. Field names follow \`tests/fixtures/public/manifest.json\`
where they overlap.

Regenerate (as root; about 3 minutes on 2 cores):

    deno run -A scripts/e2e/capture_fixtures.ts
    deno run -A scripts/e2e/capture_fixtures.ts --proxy dnsmasq --merge \\
      x64-uefi-edk2-pxe bios-ipxe-rom x64-uefi-ipxe-rom

\`tests/dhcp/qemu_fixtures_test.ts\` decodes every file with \`decodePacket\` and checks it against
its manifest entry. The MACs are fixed per scenario (52:54:00:99:00:0N); xids and the SMBIOS
UUID in option 97 are whatever the firmware chose in that run.

| file | scenario | stage | sender | msg | opt 93 | udp | option 60 | 77 | 175 | proxy |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}
`;
}
