/**
 * `vendor_specific_information`. The original proxyDHCPd sent this string raw as option 43,
 * which is not PXE sub-option encoding; EDK2 then misclassifies or rejects the offer
 * (protocol.md §5, §13). Here a hex value is PXE sub-options (code, length, value …, no End)
 * merged into option 43; any other text (the original's default `"proxyDHCPd"`) is accepted for
 * compatibility and ignored, which the loader reports as a notice.
 */
import { ValueProblem, type ValueType } from "./values.ts";

export type VendorInfo =
  | { readonly kind: "pxe-suboptions"; readonly bytes: Uint8Array }
  | { readonly kind: "ignored-text" };

const HEX = /^[0-9a-fA-F]{2}([ :]?[0-9a-fA-F]{2})*$/;

/**
 * Sub-options proxydhcpd decides per client (discovery control, multicast address, boot
 * servers, menu, prompt, boot item): a copy from the config would fight the uefi_offer style.
 */
const OWNED = new Map([
  [6, "discovery control"],
  [7, "multicast discovery address"],
  [8, "boot servers"],
  [9, "boot menu"],
  [10, "menu prompt"],
  [71, "boot item"],
]);

/** Option 43 holds 255 bytes: minus End and our own 6=8 (3 bytes) in `direct` offers. */
export const MAX_EXTRA_SUBOPTION_BYTES = 251;

export const vendorInfo: ValueType<VendorInfo> = {
  expected: "PXE sub-options in hex as code, length, value bytes (e.g. 0f 03 61 62 63), " +
    "without codes 0, 255, 6-10 and 71 and at most 251 bytes; or any non-hex text, which is ignored",
  parse(value) {
    if (!HEX.test(value)) return { kind: "ignored-text" };
    const bytes = Uint8Array.from(
      value.replace(/[ :]/g, "").match(/../g)!.map((pair) => parseInt(pair, 16)),
    );
    checkSubOptions(bytes);
    return { kind: "pxe-suboptions", bytes };
  },
};

function checkSubOptions(bytes: Uint8Array): void {
  if (bytes.length > MAX_EXTRA_SUBOPTION_BYTES) {
    throw new ValueProblem(`hex is ${bytes.length} bytes, too long for option 43`);
  }
  const seen = new Set<number>();
  let at = 0;
  while (at < bytes.length) {
    const code = bytes[at];
    if (code === 0 || code === 255) {
      throw new ValueProblem(
        `byte ${at} is sub-option code ${code} (${code === 0 ? "Pad" : "End"}), which ` +
          "proxydhcpd writes itself",
      );
    }
    const owned = OWNED.get(code);
    if (owned !== undefined) {
      throw new ValueProblem(
        `sets PXE sub-option ${code} (${owned}), which proxydhcpd sets itself per client`,
      );
    }
    if (seen.has(code)) throw new ValueProblem(`sub-option ${code} appears twice`);
    seen.add(code);
    if (at + 1 >= bytes.length) {
      throw new ValueProblem(`sub-option ${code} at byte ${at} has no length byte`);
    }
    const length = bytes[at + 1];
    const available = bytes.length - at - 2;
    if (length > available) {
      throw new ValueProblem(
        `sub-option ${code} at byte ${at} declares ${length} bytes but only ${available} follow`,
      );
    }
    at += 2 + length;
  }
}
