/**
 * The decision table: every routing and drop rule, on real ROM packets where one exists, and on
 * minimal edits of them (named in the row) where none does.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decodePacket, type DhcpPacket } from "../../src/dhcp/packet.ts";
import { latin1Bytes, MessageType, Opt, u8 } from "../../src/dhcp/options.ts";
import { encodePxeOptions } from "../../src/dhcp/pxe_options.ts";
import { decide, type Port } from "../../src/pxe/decide.ts";
import type { Config } from "../../src/config/model.ts";
import { loadFixture } from "../support/fixtures.ts";
import { directConfig, fallbackConfig, ipxeConfig } from "./_configs.ts";

function fixture(name: string, edit?: (p: DhcpPacket) => void): DhcpPacket {
  const packet = decodePacket(loadFixture(name).bytes);
  edit?.(packet);
  return packet;
}

interface Row {
  name: string;
  packet: DhcpPacket;
  port: Port;
  config?: Config;
  /** "offer <recipe> <file>", "ack <recipe> <file>" or "drop <Reason>". */
  expect: string;
  stage?: string;
  arch?: number;
}

const BIOS_DISCOVER = "asrock_bios_pxe-arch0-discover-67.bin";
const UEFI_DISCOVER = "asrock_uefi_x64-arch7-discover-67.bin";
const UEFI_4011 = "asrock_uefi_x64-arch7-request-4011.bin";

const rows: Row[] = [
  // Firmware stage, [ipxe] enabled: bootstrap by arch.
  {
    name: "ASRock BIOS ROM DISCOVER",
    packet: fixture(BIOS_DISCOVER),
    port: "dhcp",
    expect: "offer direct undionly.kpxe",
    stage: "firmware",
    arch: 0,
  },
  {
    name: "ZOTAC Intel BIOS ROM DISCOVER",
    packet: fixture("zotac_intel_bios_pxe-arch0-discover-67.bin"),
    port: "dhcp",
    expect: "offer direct undionly.kpxe",
  },
  {
    name: "Hyper-V Gen1 BIOS DISCOVER",
    packet: fixture("hyperv_gen1_legacy_pxe-arch0-discover-67.bin"),
    port: "dhcp",
    expect: "offer direct undionly.kpxe",
  },
  {
    name: "ASRock BIOS ROM REQUEST on 4011 (carries 43.71 item 0x8000)",
    packet: fixture("asrock_bios_pxe-arch0-request-4011.bin"),
    port: "pxe",
    expect: "ack boot-item undionly.kpxe",
  },
  {
    name: "ZOTAC BIOS ROM REQUEST on 4011 (from port 68)",
    packet: fixture("zotac_intel_bios_pxe-arch0-request-4011.bin"),
    port: "pxe",
    expect: "ack ack undionly.kpxe",
  },
  {
    name: "ASRock UEFI x64 (93=7) DISCOVER: BINL by default",
    packet: fixture(UEFI_DISCOVER),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
    stage: "firmware",
    arch: 7,
  },
  {
    name: "Lenovo UEFI x64 DISCOVER",
    packet: fixture("lenovo_amd_uefi_x64-arch7-discover-67.bin"),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
  },
  {
    name: "Hyper-V Gen2 UEFI DISCOVER",
    packet: fixture("hyperv_gen2_uefi_x64-arch7-discover-67.bin"),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
  },
  {
    name: "UEFI x64 sending 93=9 (EBC) is x64",
    packet: fixture(UEFI_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 9))),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
    arch: 9,
  },
  {
    name: "UEFI x64 REQUEST on 4011",
    packet: fixture(UEFI_4011),
    port: "pxe",
    expect: "ack ack ipxe.efi",
  },
  {
    name: "UEFI x64 with uefi_offer=direct",
    packet: fixture(UEFI_DISCOVER),
    port: "dhcp",
    config: directConfig,
    expect: "offer direct ipxe.efi",
  },
  // iPXE stage: the script, whatever the arch (this breaks the chainload loop).
  {
    name: "iPXE BIOS (77=iPXE, 175)",
    packet: fixture("ipxe_pcbios-arch0-discover-67.bin"),
    port: "dhcp",
    expect: "offer ipxe http://192.168.188.21/boot.ipxe",
    stage: "ipxe",
  },
  {
    name: "iPXE EFI with custom user class, 175 present",
    packet: fixture("ipxe_efi_x64-arch7-discover-67.bin"),
    port: "dhcp",
    expect: "offer ipxe http://192.168.188.21/boot.ipxe",
    stage: "ipxe",
  },
  {
    name: "iPXE detected by raw 77 alone",
    packet: fixture("ipxe_pcbios-arch0-discover-67.bin", (p) => p.options.delete(Opt.Ipxe)),
    port: "dhcp",
    expect: "offer ipxe http://192.168.188.21/boot.ipxe",
    stage: "ipxe",
  },
  {
    name: "iPXE detected by RFC 3004 77 alone",
    packet: fixture("ipxe_pcbios-arch0-discover-67.bin", (p) => {
      p.options.delete(Opt.Ipxe);
      p.options.set(Opt.UserClass, latin1Bytes("\x04iPXE"));
    }),
    port: "dhcp",
    expect: "offer ipxe http://192.168.188.21/boot.ipxe",
    stage: "ipxe",
  },
  {
    name: "custom user class without 175 is firmware",
    packet: fixture("ipxe_efi_x64-arch7-discover-67.bin", (p) => p.options.delete(Opt.Ipxe)),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
    stage: "firmware",
  },
  {
    name: "iPXE REQUEST to 4011",
    packet: fixture(
      "ipxe_pcbios-arch0-discover-67.bin",
      (p) => p.options.set(Opt.MessageType, u8(MessageType.Request)),
    ),
    port: "pxe",
    expect: "ack ack http://192.168.188.21/boot.ipxe",
  },
  // [ipxe] enabled=false: the original's fallback files; iPXE routed like firmware.
  {
    name: "fallback: BIOS gets filename",
    packet: fixture(BIOS_DISCOVER),
    port: "dhcp",
    config: fallbackConfig,
    expect: "offer direct pxelinux.0",
  },
  {
    name: "fallback: UEFI x64 gets filename_efi64",
    packet: fixture(UEFI_DISCOVER),
    port: "dhcp",
    config: fallbackConfig,
    expect: "offer binl bootx64.efi",
  },
  {
    name: "fallback: ia32 UEFI (93=6) gets filename_efi32",
    packet: fixture(UEFI_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 6))),
    port: "dhcp",
    config: fallbackConfig,
    expect: "offer binl bootia32.efi",
  },
  {
    name: "fallback: iPXE BIOS gets filename (no loop breaking)",
    packet: fixture("ipxe_pcbios-arch0-discover-67.bin"),
    port: "dhcp",
    config: fallbackConfig,
    expect: "offer ipxe pxelinux.0",
  },
  // Per-arch table beyond x86, HTTP boot, quirks.
  {
    name: "arm64 UEFI (93=11) via [bootstrap]",
    packet: fixture(UEFI_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 11))),
    port: "dhcp",
    expect: "offer binl snp-arm64.efi",
    arch: 11,
  },
  {
    name: "arm64 UEFI without a route: dropped",
    packet: fixture(UEFI_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 11))),
    port: "dhcp",
    config: fallbackConfig,
    expect: "drop NoRoute",
  },
  {
    name: "ia32 UEFI (93=6) without a route: dropped",
    packet: fixture(UEFI_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 6))),
    port: "dhcp",
    expect: "drop NoRoute",
  },
  {
    name: "RISC-V 64 UEFI (93=27): dropped",
    packet: fixture("uboot_riscv64_efi-arch27-discover-67.bin"),
    port: "dhcp",
    expect: "drop NoRoute",
    arch: 27,
  },
  {
    name: "93 list: the first known entry wins",
    packet: fixture(
      UEFI_DISCOVER,
      (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0x12, 0x34, 0, 7)),
    ),
    port: "dhcp",
    expect: "offer binl ipxe.efi",
    arch: 7,
  },
  {
    name: "no 93: arch from option 60 (decimal)",
    packet: fixture(BIOS_DISCOVER, (p) => p.options.delete(Opt.ClientArch)),
    port: "dhcp",
    expect: "offer direct undionly.kpxe",
    arch: 0,
  },
  {
    name: "no 93: U-Boot RISC-V hex arch in 60",
    packet: fixture(
      "uboot_riscv64_efi-arch27-discover-67.bin",
      (p) => p.options.delete(Opt.ClientArch),
    ),
    port: "dhcp",
    expect: "drop NoRoute",
    arch: 27,
  },
  {
    name: "no 93 and no Arch in 60: dropped",
    packet: fixture(BIOS_DISCOVER, (p) => {
      p.options.delete(Opt.ClientArch);
      p.options.set(Opt.VendorClass, latin1Bytes("PXEClient"));
    }),
    port: "dhcp",
    expect: "drop NoArch",
  },
  {
    name: "UEFI HTTP boot (HTTPClient, 93=16)",
    packet: fixture("edk2_httpboot_x64-arch16-discover-67.bin"),
    port: "dhcp",
    expect: "offer http http://192.168.188.21/ipxe.efi",
    stage: "http",
  },
  {
    name: "UEFI HTTP boot without a route: dropped",
    packet: fixture("edk2_httpboot_x64-arch16-discover-67.bin"),
    port: "dhcp",
    config: fallbackConfig,
    expect: "drop NoRoute",
  },
  {
    name: "Raspberry Pi 4 (OUI, 93=0) is arm-rpiboot",
    packet: fixture("rpi4_eeprom_bootloader-arch0-discover-67.bin"),
    port: "dhcp",
    expect: "offer direct rpi/bootcode.bin",
    arch: 41,
  },
  {
    name: "Raspberry Pi 3 without a route: not sent undionly.kpxe",
    packet: fixture("rpi3_bootrom-arch0-discover-67.bin"),
    port: "dhcp",
    config: fallbackConfig,
    expect: "drop NoRoute",
    arch: 41,
  },
  // Drop rules (protocol.md §10).
  {
    name: "non-PXE vendor class (U-Boot)",
    packet: fixture("uboot_riscv64-noarch-discover-67.bin"),
    port: "dhcp",
    expect: "drop NotPxeClient",
  },
  {
    name: "non-PXE client without option 60 (RELEASE)",
    packet: fixture("zotac_intel_bios_pxe-noarch-release-67.bin"),
    port: "dhcp",
    expect: "drop NotPxeClient",
  },
  {
    name: "U-Boot armv8 REQUEST",
    packet: fixture("uboot_armv8_rpi4-arch22-request-67.bin"),
    port: "dhcp",
    expect: "drop NotPxeClient",
  },
  {
    name: "BOOTP (no option 53)",
    packet: fixture(BIOS_DISCOVER, (p) => p.options.delete(Opt.MessageType)),
    port: "dhcp",
    expect: "drop Bootp",
  },
  {
    name: "REQUEST on 67 selects the primary",
    packet: fixture("asrock_bios_pxe-arch0-request-67.bin"),
    port: "dhcp",
    expect: "drop RequestNotForUs",
  },
  {
    name: "UEFI REQUEST on 67 selects the primary",
    packet: fixture("asrock_uefi_x64-arch7-request-67.bin"),
    port: "dhcp",
    expect: "drop RequestNotForUs",
  },
  {
    name: "iPXE REQUEST on 67 selects the primary",
    packet: fixture("ipxe_pcbios-arch0-request-67.bin"),
    port: "dhcp",
    expect: "drop RequestNotForUs",
  },
  {
    name: "RPi REQUEST on 67 without 93",
    packet: fixture("rpi4_eeprom_bootloader-noarch-request-67.bin"),
    port: "dhcp",
    expect: "drop RequestNotForUs",
  },
  {
    name: "DISCOVER on 4011 is not a proxy request",
    packet: fixture(BIOS_DISCOVER),
    port: "pxe",
    expect: "drop MessageType",
  },
  {
    name: "server OFFER (op 2) is ignored",
    packet: fixture("pixiecore_2016-none-offer-68.bin"),
    port: "dhcp",
    expect: "drop NotRequest",
  },
  {
    name: "malformed 97 (wrong type byte)",
    packet: fixture(BIOS_DISCOVER, (p) => p.options.get(Opt.ClientGuid)![0] = 1),
    port: "dhcp",
    expect: "drop MalformedOption",
  },
  {
    name: "malformed 93 (odd length)",
    packet: fixture(BIOS_DISCOVER, (p) => p.options.set(Opt.ClientArch, Uint8Array.of(0, 0, 7))),
    port: "dhcp",
    expect: "drop MalformedOption",
  },
  {
    name: "missing 97 is accepted (old ROMs omit it)",
    packet: fixture(BIOS_DISCOVER, (p) => p.options.delete(Opt.ClientGuid)),
    port: "dhcp",
    expect: "offer direct undionly.kpxe",
  },
  {
    name: "hlen 0",
    packet: fixture(BIOS_DISCOVER, (p) => p.hlen = 0),
    port: "dhcp",
    expect: "drop BadHardwareAddress",
  },
  // Boot Server Discovery (43.71) on either port; BIS refused.
  {
    name: "43.71 boot item REQUEST on 67 (broadcast discovery)",
    packet: fixture(
      "asrock_bios_pxe-arch0-request-67.bin",
      (p) =>
        p.options.set(
          Opt.VendorSpecific,
          encodePxeOptions({ bootItem: { type: 0x8000, layer: 0 } }),
        ),
    ),
    port: "dhcp",
    expect: "ack boot-item undionly.kpxe",
  },
  {
    name: "43.71 boot item INFORM on 4011",
    packet: fixture(UEFI_4011, (p) => {
      p.options.set(Opt.MessageType, u8(MessageType.Inform));
      p.options.set(Opt.VendorSpecific, encodePxeOptions({ bootItem: { type: 0x8000, layer: 0 } }));
    }),
    port: "pxe",
    expect: "ack boot-item ipxe.efi",
  },
  {
    name: "43.71 with the BIS layer bit",
    packet: fixture(UEFI_4011, (p) =>
      p.options.set(
        Opt.VendorSpecific,
        encodePxeOptions({ bootItem: { type: 0x8000, layer: 0x8000 } }),
      )),
    port: "pxe",
    expect: "drop BisRequested",
  },
  {
    name: "INFORM on 4011 without 43.71",
    packet: fixture(UEFI_4011, (p) => p.options.set(Opt.MessageType, u8(MessageType.Inform))),
    port: "pxe",
    expect: "drop MessageType",
  },
];

for (const row of rows) {
  Deno.test(`decide(): ${row.name}`, () => {
    const decision = decide(row.packet, row.port, row.config ?? ipxeConfig);
    const summary = decision.action === "drop"
      ? `drop ${decision.reason}`
      : `${decision.action} ${decision.recipe} ${decision.bootFile}`;
    assertEquals(summary, row.expect);
    if (row.stage !== undefined) assertEquals(decision.client?.stage, row.stage);
    if (row.arch !== undefined) assertEquals(decision.client?.arch, row.arch);
  });
}

Deno.test("decide(): one function, same boot file on 67 and 4011 for each fixture client", () => {
  for (
    const [discover, request] of [
      [BIOS_DISCOVER, "asrock_bios_pxe-arch0-request-4011.bin"],
      [UEFI_DISCOVER, UEFI_4011],
      ["zotac_intel_bios_pxe-arch0-discover-67.bin", "zotac_intel_bios_pxe-arch0-request-4011.bin"],
    ]
  ) {
    for (const config of [ipxeConfig, fallbackConfig, directConfig]) {
      const onDhcp = decide(fixture(discover), "dhcp", config);
      const onPxe = decide(fixture(request), "pxe", config);
      assertEquals(
        onDhcp.action === "drop" ? undefined : onDhcp.bootFile,
        onPxe.action === "drop" ? undefined : onPxe.bootFile,
      );
    }
  }
});

Deno.test("decide(): tftp:// and relative next servers", () => {
  const config = {
    ...ipxeConfig,
    firmwareRoutes: new Map([[0, "tftp://10.1.1.1/boot/undionly.kpxe"]]),
  };
  const decision = decide(fixture(BIOS_DISCOVER), "dhcp", config);
  assertEquals(decision.action === "offer" && decision.nextServer, "10.1.1.1");
  const plain = decide(fixture(BIOS_DISCOVER), "dhcp", ipxeConfig);
  assertEquals(plain.action === "offer" && plain.nextServer, "192.168.188.21");
});
