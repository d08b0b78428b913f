/**
 * When the suite may run: it needs root (namespaces, tap, capture). Without root it is skipped
 * with a reason, except in CI (CI=true), where a missing prerequisite must fail loudly.
 */
import { run } from "./command.ts";
import { allMachines } from "./firmware.ts";
import { proxydhcpdCommand, type ProxyKind, REPO_ROOT } from "./proxy.ts";
import { TFTP_FILES } from "./servers.ts";

export function inCi(): boolean {
  return Deno.env.get("CI") === "true";
}

export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/** Why the suite is skipped here, or undefined when it must run. */
export function skipReason(): string | undefined {
  if (isRoot() || inCi()) return undefined;
  return "the real-firmware e2e suite needs root (network namespaces, a tap, tcpdump); " +
    "run `sudo deno task e2e`";
}

/** Installs missing packages (scripts/e2e/install_deps.sh), then checks every needed file. */
export async function ensurePrerequisites(proxy: ProxyKind): Promise<void> {
  if (!isRoot()) throw new Error("Cannot run the e2e suite: not root (CI=true forbids skipping)");
  const script = new URL("./install_deps.sh", import.meta.url).pathname;
  await run("bash", [script], "install the e2e packages");
  const missing = requiredFiles(proxy).filter((path) => !exists(path));
  if (missing.length) throw new Error(`Cannot run the e2e suite: missing ${missing.join(", ")}`);
  if (proxy === "proxydhcpd") await checkProxydhcpdStarts();
}

function requiredFiles(proxy: ProxyKind): string[] {
  const files = [
    ...TFTP_FILES.map((f) => `/usr/lib/ipxe/${f}`),
    "/usr/lib/ipxe/qemu/efi-e1000.rom",
    "/usr/share/qemu/sgabios.bin",
    "/usr/bin/python3",
  ];
  for (const m of allMachines()) {
    files.push(`/usr/bin/${m.qemu}`);
    if (m.code) files.push(m.code);
    if (m.vars) files.push(m.vars);
  }
  if (proxy === "proxydhcpd") files.push(`${REPO_ROOT}src/main.ts`);
  return [...new Set(files)];
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `proxydhcpd -h` with the documented flags: catches a broken entry point before any VM boots. */
async function checkProxydhcpdStarts(): Promise<void> {
  const [deno, ...args] = proxydhcpdCommand("/dev/null");
  const helpArgs = [...args.slice(0, args.indexOf("-c")), "-h"];
  const out = await new Deno.Command(deno, {
    args: helpArgs,
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const detail = new TextDecoder().decode(out.stderr).trim().split("\n").slice(0, 5).join(" | ");
    throw new Error(`Cannot run proxydhcpd -h: ${detail}`);
  }
}
