/**
 * `deno task demo`: starts proxydhcpd on the built-in demo config (loopback, high ports, no
 * root), replays real PXE ROM packets at it and prints what each client got. The server keeps
 * running until Ctrl-C; `--once` stops it after the replay.
 */
import { parseArgs } from "node:util";
import { fileURLToPath as fromFileUrl } from "node:url";
import { getMessageType, getVendorClass, messageTypeName } from "../src/dhcp/options.ts";
import { daemonPermissionFlags } from "./permissions.ts";
import { DemoClient } from "./demo/client.ts";

const CONFIG = fromFileUrl(new URL("./demo/demo.ini", import.meta.url));
const MAIN = fromFileUrl(new URL("../src/main.ts", import.meta.url));
const FIXTURES = fromFileUrl(new URL("../tests/fixtures/public/", import.meta.url));
const PORTS = { dhcp: 10067, pxe: 14011, client: 10068 };

const SCENES: { title: string; fixture: string; port: number; quiet?: boolean }[] = [
  {
    title: "BIOS PXE ROM (ASRock)",
    fixture: "asrock_bios_pxe-arch0-discover-67.bin",
    port: PORTS.dhcp,
  },
  {
    title: "UEFI x64 firmware (ASRock)",
    fixture: "asrock_uefi_x64-arch7-discover-67.bin",
    port: PORTS.dhcp,
  },
  {
    title: "UEFI x64 firmware, then udp/4011",
    fixture: "asrock_uefi_x64-arch7-request-4011.bin",
    port: PORTS.pxe,
  },
  {
    title: "iPXE on BIOS (chainloaded)",
    fixture: "ipxe_pcbios-arch0-discover-67.bin",
    port: PORTS.dhcp,
  },
  { title: "iPXE on UEFI x64", fixture: "ipxe_efi_x64-arch7-discover-67.bin", port: PORTS.dhcp },
  {
    title: "RISC-V 64 UEFI (not configured)",
    fixture: "uboot_riscv64_efi-arch27-discover-67.bin",
    port: PORTS.dhcp,
  },
  {
    title: "UEFI HTTP boot (not configured)",
    fixture: "edk2_httpboot_x64-arch16-discover-67.bin",
    port: PORTS.dhcp,
  },
  {
    title: "Ordinary DHCP client (U-Boot, no PXEClient)",
    fixture: "uboot_riscv64-noarch-discover-67.bin",
    port: PORTS.dhcp,
    quiet: true,
  },
];

const { values } = parseArgs({ args: Deno.args, options: { once: { type: "boolean" } } });

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    ...daemonPermissionFlags({ configPath: CONFIG, ports: PORTS }),
    MAIN,
    "-c",
    CONFIG,
  ],
  stdout: "inherit",
  stderr: "inherit",
}).spawn();

const client = new DemoClient(PORTS.client);
try {
  await waitUntilServing(client);
  console.log("\n--- replaying real PXE ROM packets at 127.0.0.1 ---");
  for (const scene of SCENES) {
    const bytes = Deno.readFileSync(FIXTURES + scene.fixture);
    const replies = await client.exchange(bytes, scene.port, 400);
    const reply = replies[0]?.packet;
    const outcome = reply === undefined
      ? (scene.quiet
        ? "no reply (ignored; ordinary DHCP traffic is logged at debug level only)"
        : "no reply (dropped; the server log line above says why)")
      : `${messageTypeName(getMessageType(reply.options))} from :${replies[0].from.port}, ` +
        `siaddr ${reply.siaddr}, file "${reply.file}", vendor class ${
          getVendorClass(reply.options)
        }`;
    console.log(`${scene.title.padEnd(44)} -> ${outcome}`);
  }
  console.log("---");
  if (!values.once) {
    console.log(
      `proxydhcpd keeps serving on 127.0.0.1 udp/${PORTS.dhcp} and udp/${PORTS.pxe}; Ctrl-C stops it.`,
    );
    await server.status;
  }
} finally {
  await client.close();
  try {
    server.kill("SIGTERM");
  } catch { /* already gone */ }
  await server.status;
}

/** Start-up takes a few hundred ms when Deno compiles the sources; probe until a reply comes. */
async function waitUntilServing(client: DemoClient): Promise<void> {
  const probe = Deno.readFileSync(FIXTURES + SCENES[0].fixture);
  for (let i = 0; i < 100; i++) {
    if ((await client.exchange(probe, PORTS.dhcp, 100)).length > 0) return;
  }
  throw new Error("Cannot reach the demo server on 127.0.0.1");
}
