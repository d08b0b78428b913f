/**
 * The QEMU machines whose firmware does the network boot (real-firmware.md, "Client scenarios").
 * All run under TCG: KVM guests crash on these machines. `-nodefaults` and a single tap NIC: no
 * user-mode network with its own DHCP/TFTP. `-no-reboot` turns the iPXE script's `reboot` into a
 * clean QEMU exit.
 */

export type MachineId =
  | "x64-uefi-edk2"
  | "bios-ipxe-rom"
  | "x64-uefi-ipxe-rom"
  | "ia32-uefi-edk2"
  | "arm64-uefi-edk2";

export interface Machine {
  readonly id: MachineId;
  readonly description: string;
  readonly qemu: string;
  /** QEMU's `-M` value, recorded in fixture provenance. */
  readonly machineType: string;
  /** Debian packages providing the emulator and firmware (for install and provenance). */
  readonly packages: readonly string[];
  /**
   * Which Debian package's code sends the DHCP packets, per boot stage: `firmware` for the
   * firmware's own PXE (EDK2), `ipxe` once iPXE runs (a NIC ROM, or ipxe.efi from TFTP).
   */
  readonly senders: { readonly firmware?: string; readonly ipxe?: string };
  /** The NIC as given to QEMU, for fixture provenance. */
  readonly nic: string;
  /** Files that must exist; `vars` is copied per run because the firmware writes to it. */
  readonly code?: string;
  readonly vars?: string;
  /** Arguments besides the common ones; `varsCopy` is this run's writable VARS file. */
  args(nic: NicSettings, varsCopy: string): string[];
}

export interface NicSettings {
  netdev: string;
  mac: string;
}

const OVMF = "/usr/share/OVMF";
const AAVMF = "/usr/share/AAVMF";

function pflash(code: string, vars: string): string[] {
  return [
    "-drive",
    `if=pflash,format=raw,unit=0,readonly=on,file=${code}`,
    "-drive",
    `if=pflash,format=raw,unit=1,file=${vars}`,
  ];
}

/** `romfile=` (empty) removes the iPXE option ROM, so EDK2's own PXE (PxeBcDxe) boots. */
const edk2Nic = (nic: NicSettings) => [
  "-device",
  `virtio-net-pci,netdev=${nic.netdev},mac=${nic.mac},romfile=`,
];

const MACHINES: readonly Machine[] = [
  {
    id: "x64-uefi-edk2",
    description: "x64 UEFI, EDK2's own PXE (OVMF, virtio-net without option ROM)",
    qemu: "qemu-system-x86_64",
    machineType: "q35",
    packages: ["qemu-system-x86", "ovmf", "ipxe"],
    senders: { firmware: "ovmf", ipxe: "ipxe" },
    nic: "virtio-net-pci,romfile=",
    code: `${OVMF}/OVMF_CODE_4M.fd`,
    vars: `${OVMF}/OVMF_VARS_4M.fd`,
    args: (nic, vars) => [
      "-M",
      "q35",
      "-m",
      "256",
      ...pflash(`${OVMF}/OVMF_CODE_4M.fd`, vars),
      ...edk2Nic(nic),
    ],
  },
  {
    id: "bios-ipxe-rom",
    description: "BIOS (SeaBIOS) with QEMU's iPXE NIC ROM (e1000), console via sga",
    qemu: "qemu-system-x86_64",
    machineType: "pc",
    packages: ["qemu-system-x86", "ipxe-qemu"],
    senders: { ipxe: "ipxe-qemu" },
    nic: "e1000 (default ROM efi-e1000.rom)",
    args: (nic) => [
      "-M",
      "pc",
      "-m",
      "256",
      "-device",
      `e1000,netdev=${nic.netdev},mac=${nic.mac}`,
      // Serial graphics adapter: BIOS text output (iPXE's console) goes to the serial port.
      "-device",
      "sga",
    ],
  },
  {
    id: "x64-uefi-ipxe-rom",
    description: "x64 UEFI (OVMF) with QEMU's iPXE EFI NIC ROM (e1000)",
    qemu: "qemu-system-x86_64",
    machineType: "q35",
    packages: ["qemu-system-x86", "ovmf", "ipxe-qemu"],
    senders: { ipxe: "ipxe-qemu" },
    nic: "e1000 (default ROM efi-e1000.rom)",
    code: `${OVMF}/OVMF_CODE_4M.fd`,
    vars: `${OVMF}/OVMF_VARS_4M.fd`,
    args: (nic, vars) => [
      "-M",
      "q35",
      "-m",
      "256",
      ...pflash(`${OVMF}/OVMF_CODE_4M.fd`, vars),
      "-device",
      `e1000,netdev=${nic.netdev},mac=${nic.mac}`,
    ],
  },
  {
    id: "ia32-uefi-edk2",
    description: "ia32 UEFI, EDK2's own PXE (OVMF ia32 secure-boot build, SMM)",
    qemu: "qemu-system-i386",
    machineType: "q35,smm=on",
    packages: ["qemu-system-x86", "ovmf-ia32"],
    senders: { firmware: "ovmf-ia32" },
    nic: "virtio-net-pci,romfile=",
    code: `${OVMF}/OVMF32_CODE_4M.secboot.fd`,
    vars: `${OVMF}/OVMF32_VARS_4M.fd`,
    args: (nic, vars) => [
      // Debian ships OVMF ia32 only as a secure-boot build, which needs SMM and secure pflash.
      "-M",
      "q35,smm=on",
      "-global",
      "driver=cfi.pflash01,property=secure,value=on",
      "-m",
      "256",
      ...pflash(`${OVMF}/OVMF32_CODE_4M.secboot.fd`, vars),
      ...edk2Nic(nic),
    ],
  },
  {
    id: "arm64-uefi-edk2",
    description: "arm64 UEFI, EDK2's own PXE (AAVMF on virt, cortex-a57)",
    qemu: "qemu-system-aarch64",
    machineType: "virt",
    packages: ["qemu-system-arm", "qemu-efi-aarch64"],
    senders: { firmware: "qemu-efi-aarch64" },
    nic: "virtio-net-pci,romfile=",
    code: `${AAVMF}/AAVMF_CODE.fd`,
    vars: `${AAVMF}/AAVMF_VARS.fd`,
    args: (nic, vars) => [
      "-M",
      "virt",
      "-cpu",
      "cortex-a57",
      "-m",
      "512",
      ...pflash(`${AAVMF}/AAVMF_CODE.fd`, vars),
      ...edk2Nic(nic),
    ],
  },
];

export function machine(id: MachineId): Machine {
  const found = MACHINES.find((m) => m.id === id);
  if (!found) throw new Error(`Cannot find machine ${id}`);
  return found;
}

export function allMachines(): readonly Machine[] {
  return MACHINES;
}

/** The full QEMU command line for one run. */
export function qemuCommand(
  m: Machine,
  options: { tap: string; mac: string; serialPath: string; varsCopy: string },
): string[] {
  const netdev = "n0";
  return [
    m.qemu,
    "-nodefaults",
    "-display",
    "none",
    "-accel",
    "tcg",
    "-no-reboot",
    "-serial",
    `file:${options.serialPath}`,
    "-netdev",
    `tap,id=${netdev},ifname=${options.tap},script=no,downscript=no`,
    ...m.args({ netdev, mac: options.mac }, options.varsCopy),
  ];
}
