/**
 * dist/proxydhcpd.service: systemd must accept it, its exposure score must stay at or below 2.0
 * (the original proxyDHCPd unit scores 4.3), and it must start the binary the way the binary was
 * built to run (same path, same config file). Needs `systemd-analyze` (apt-get install systemd);
 * starting the unit for real needs systemd as PID 1, which test machines do not have.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG_PATH, DEFAULT_INSTALL_PATH } from "../../scripts/permissions.ts";

const UNIT = fileURLToPath(new URL("../../dist/proxydhcpd.service", import.meta.url));
const MAX_EXPOSURE = 2.0;

/** The hardened unit shipped by the original Python proxyDHCPd, for comparison. */
const ORIGINAL_UNIT = `[Unit]
Description=ProxyDHCPd

[Service]
Type=simple
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
NoNewPrivileges=yes
ExecStart=/usr/bin/proxydhcpd -c /etc/proxyDHCPd/proxy.ini
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

const SYSTEMD_ANALYZE = await new Deno.Command("systemd-analyze", { args: ["--version"] })
  .output().then((r) => r.success, () => false);
const SKIP = SYSTEMD_ANALYZE ? "" : " [ignored: systemd-analyze missing; apt-get install systemd]";

async function analyze(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command("systemd-analyze", {
    args,
    env: { SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

async function exposure(unitPath: string): Promise<{ score: number; report: string }> {
  const { out } = await analyze(["security", "--offline=true", "--no-pager", unitPath]);
  const match = out.match(/Overall exposure level for \S+: (\d+\.\d+)/);
  assert.ok(match, `no exposure line in:\n${out}`);
  return { score: Number(match[1]), report: out };
}

/** A temp dir with `name`.service built from `text`; removed afterwards. */
async function withUnit(
  name: string,
  text: string,
  fn: (unitPath: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "proxydhcpd-unit-test-" });
  try {
    await Deno.writeTextFile(`${dir}/${name}.service`, text);
    await fn(`${dir}/${name}.service`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function directive(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]);
}

Deno.test({
  name: `systemd-analyze verify accepts the unit${SKIP}`,
  ignore: !SYSTEMD_ANALYZE,
}, async () => {
  const text = await Deno.readTextFile(UNIT);
  // verify insists that ExecStart's program exists; this machine has no installed daemon, so a
  // copy of the unit points at a stand-in script. Everything else is verified as shipped.
  await withUnit("proxydhcpd", "", async (unitPath, dir) => {
    const standIn = `${dir}/proxydhcpd-bin`;
    await Deno.writeTextFile(standIn, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    await Deno.chmod(standIn, 0o755);
    await Deno.writeTextFile(unitPath, text.replace(/^ExecStart=\S+/m, `ExecStart=${standIn}`));
    const { code, out } = await analyze(["verify", unitPath]);
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /proxydhcpd\.service/, out);
  });
  // And the shipped file as-is fails only for the missing binary: the check is not vacuous.
  const asShipped = await analyze(["verify", UNIT]);
  if (!(await Deno.stat(DEFAULT_INSTALL_PATH).then(() => true, () => false))) {
    assert.notEqual(asShipped.code, 0);
    assert.match(asShipped.out, /is not executable: No such file or directory/);
  }
});

Deno.test({
  name:
    `the unit's exposure score is at most ${MAX_EXPOSURE} (original unit for comparison)${SKIP}`,
  ignore: !SYSTEMD_ANALYZE,
}, async () => {
  const ours = await exposure(UNIT);
  let original = NaN;
  await withUnit("proxydhcpd-original", ORIGINAL_UNIT, async (unitPath) => {
    original = (await exposure(unitPath)).score;
  });
  console.log(
    `exposure: original proxyDHCPd unit ${original}, dist/proxydhcpd.service ${ours.score}`,
  );
  for (const line of ours.report.split("\n").filter((l) => l.startsWith("✗"))) {
    console.log(`  ${line.replace(/\s{2,}/g, "  ").trim()}`);
  }
  assert.ok(ours.score <= MAX_EXPOSURE, `exposure ${ours.score} > ${MAX_EXPOSURE}`);
  assert.ok(ours.score < original, "tighter than the original");
});

Deno.test("the unit starts the release binary on the config it may read", async () => {
  const text = await Deno.readTextFile(UNIT);
  // The compiled binary's --allow-read grant is fixed at build time (scripts/permissions.ts).
  assert.deepEqual(directive(text, "ExecStart"), [
    `${DEFAULT_INSTALL_PATH} -c ${DEFAULT_CONFIG_PATH}`,
  ]);
  assert.deepEqual(directive(text, "ExecReload"), ["/bin/kill -HUP $MAINPID"]);
  // Lines that must stay out, each for a measured reason (docs/packaging.md).
  assert.deepEqual(directive(text, "MemoryDenyWriteExecute"), [], "breaks V8's JIT");
  assert.deepEqual(directive(text, "PrivateUsers"), [], "no CAP_NET_BIND_SERVICE for udp/67");
  assert.deepEqual(directive(text, "PrivateNetwork"), [], "we serve the LAN");
  // Exactly the socket families the daemon opens (strace): UDP/IPv4 and getifaddrs' netlink.
  assert.deepEqual(directive(text, "RestrictAddressFamilies"), ["AF_INET AF_NETLINK"]);
  // V8 allocates memory protection keys; @system-service lacks them in systemd 252.
  assert.ok(directive(text, "SystemCallFilter").some((v) => v.split(" ").includes("@pkey")));
});
