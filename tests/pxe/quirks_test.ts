/** Every firmware quirk row fires on its own real packet, and only changes what it should. */
import { deepStrictEqual as equal, notDeepStrictEqual as notEqual, ok } from "node:assert/strict";
import { decodePacket } from "../../src/dhcp/packet.ts";
import { getClientArchs, getVendorClass, Opt } from "../../src/dhcp/options.ts";
import { ARCH_QUIRKS, resolveArch } from "../../src/pxe/quirks.ts";
import { ARCH_TYPES } from "../../src/pxe/arch.ts";
import { macOf } from "../../src/pxe/classify.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const known = (code: number) => ARCH_TYPES.has(code);

function claimsOf(vector: string) {
  const packet = decodePacket(Deno.readFileSync(new URL(vector, FIXTURES)));
  return {
    mac: macOf(packet),
    archs: getClientArchs(packet.options),
    vendorClass: getVendorClass(packet.options),
    options: packet.options,
  };
}

for (const quirk of ARCH_QUIRKS) {
  Deno.test(`quirk ${quirk.name}: fires on its vector ${quirk.vector}`, () => {
    const claims = claimsOf(quirk.vector);
    const before = claims.archs?.find(known) ?? claims.archs?.[0];
    const after = quirk.archFor(claims, before);
    ok(after !== undefined, `${quirk.name} did not apply to its vector`);
    notEqual(after, before);
    ok(quirk.why.length > 20, "each row says why it exists");
  });
}

Deno.test("quirk table: expected arches for the vectors and for near misses", () => {
  // RPi 4 EEPROM REQUEST: no 93, PXEClient:Arch:00000 in 60 → 0 → Raspberry Pi OUI → 41.
  equal(resolveArch(claimsOf("public/rpi4_eeprom_bootloader-noarch-request-67.bin"), known), 41);
  // RPi 3 boot ROM says 93 = 0 too.
  equal(resolveArch(claimsOf("public/rpi3_bootrom-arch0-discover-67.bin"), known), 41);
  // An ASRock BIOS ROM (not a Pi OUI) stays x86 BIOS.
  equal(resolveArch(claimsOf("public/asrock_bios_pxe-arch0-discover-67.bin"), known), 0);
  // U-Boot RISC-V writes "Arch:0001b": hex 27 when 93 is missing, and 93 wins when present.
  const riscv = claimsOf("public/uboot_riscv64_efi-arch27-discover-67.bin");
  equal(resolveArch(riscv, known), 27);
  equal(resolveArch({ ...riscv, archs: undefined }, known), 27);
  // Decimal in 60 stays decimal ("00011" is 11, not 17).
  equal(
    resolveArch(
      { mac: "00:11:22:33:44:55", vendorClass: "PXEClient:Arch:00011:UNDI:003016" },
      known,
    ),
    11,
  );
  // HTTP boot clients say HTTPClient:Arch:NNNNN.
  equal(resolveArch({ mac: "00:11:22:33:44:55", vendorClass: "HTTPClient:Arch:00016" }, known), 16);
  // Not PXE-shaped: no arch.
  equal(resolveArch({ mac: "00:11:22:33:44:55", vendorClass: "U-Boot" }, known), undefined);
  ok(claimsOf("public/uboot_riscv64-noarch-discover-67.bin").options.has(Opt.VendorClass));
});
