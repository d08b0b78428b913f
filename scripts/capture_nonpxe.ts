/**
 * Regenerates `tests/fixtures/nonpxe/`: real DHCP packets from ordinary (non-PXE) Linux clients,
 * which a ProxyDHCP server must never answer (protocol.md §9, §3).
 *
 * Run as root, not in CI: `deno run --allow-all scripts/capture_nonpxe.ts [--keep]` (`--keep`
 * leaves the pcaps and client logs in the work dir).
 *
 * Lab, built only from network namespaces made here (no default route anywhere, nothing leaves):
 *
 *     cli: c0 (no address) ──veth── srv: br0 10.98.0.1/24 (dnsmasq DHCP) ──veth── squat: q0
 *                                                                  10.98.0.97-99 (address squatter)
 *
 * Each phase gives the client NIC its own MAC, runs one client through a scripted life
 * (DORA, renew, init-reboot, INFORM, RELEASE, DECLINE) against a plain dnsmasq address server,
 * and captures on c0 with tcpdump. Every client→server UDP payload (to port 67) becomes a
 * `.bin` file, byte for byte (padding kept), listed in `manifest.json`.
 *
 * DECLINE needs an address conflict: the declining MACs are pinned by dnsmasq to addresses the
 * squatter namespace already holds, so ARP-checking clients (udhcpc -a, dhcpcd) see the
 * conflict; dhclient declines when its script exits non-zero on BOUND. systemd-networkd 252 with
 * `SendDecline=yes` detects the conflict but cannot send: it unicasts the DECLINE from the
 * address it is declining, which was never assigned, and logs "Failed to send DHCP DECLINE,
 * ignoring: Network is unreachable" (the kernel refuses a non-local source), so it has no phase.
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { ip, NetnsLab } from "../tests/net/_netns.ts";
import { readPcap } from "../tests/support/pcap.ts";
import { decodePacket, type DhcpPacket } from "../src/dhcp/packet.ts";
import { getMessageType, getVendorClass, messageTypeName, Opt } from "../src/dhcp/options.ts";

const OUT_DIR = new URL("../tests/fixtures/nonpxe/", import.meta.url);
const SERVER_IP = "10.98.0.1";
const HOSTNAME = "nonpxe-lab";
/** T1/T2 forced short so renewals happen within a phase; dnsmasq's minimum lease is 2 min. */
const T1_SECONDS = 6;
const T2_SECONDS = 20;
/** At most this many distinct packets per (client, message, variant): retransmits add nothing. */
const MAX_PER_KIND = 2;

interface Phase {
  readonly client: string;
  /** Debian package that ships the client (for `dpkg-query -W`). */
  readonly package: string;
  readonly name: string;
  readonly mac: string;
  /** Address the squatter holds and dnsmasq pins this MAC to (DECLINE phases). */
  readonly pinned?: string;
  /** Shell run inside the client namespace; `$W` is the work dir, the NIC is c0. */
  readonly script: string;
  readonly seconds: number;
  readonly how: string;
}

const DHCLIENT = 'dhclient -4 -v -sf "$W/dhclient-script" -lf "$W/dhclient.leases" ' +
  '-pf "$W/dhclient.pid"';
const NETWORKD = "/lib/systemd/systemd-networkd";
const DHCPCD = "dhcpcd -4 -B -c /bin/true -f /etc/dhcpcd.conf";

const PHASES: readonly Phase[] = [
  {
    client: "dhclient",
    package: "isc-dhcp-client",
    name: "lifecycle",
    mac: "02:6e:70:01:00:01",
    seconds: 30,
    script: `${DHCLIENT} -1 c0
sleep ${T1_SECONDS + 3}
${DHCLIENT} -x c0
${DHCLIENT} -1 c0
${DHCLIENT} -r c0`,
    how: "dhclient -1 (DORA), wait past T1 (renew), dhclient -x, dhclient -1 again with the " +
      "lease file (INIT-REBOOT), dhclient -r (RELEASE); Debian's /etc/dhcp/dhclient.conf",
  },
  {
    client: "dhclient",
    package: "isc-dhcp-client",
    name: "decline",
    mac: "02:6e:70:01:00:02",
    seconds: 15,
    script: `dhclient -4 -v -1 -d -sf "$W/decline-script" -lf "$W/decline.leases" ` +
      `-pf "$W/decline.pid" c0 || true`,
    how: "dhclient -1 -d with a script that exits 1 on BOUND (what dhclient-script does when " +
      "its ARP check finds the address in use) -> DHCPDECLINE",
  },
  {
    client: "udhcpc",
    package: "busybox",
    name: "lifecycle",
    mac: "02:6e:70:02:00:01",
    seconds: 20,
    script: `busybox udhcpc -i c0 -f -t 5 -T 1 -s "$W/udhcpc-script" &
pid=$!
sleep 3; kill -USR1 $pid; sleep 2; kill -USR2 $pid; sleep 2; kill -TERM $pid; wait $pid`,
    how: "busybox udhcpc -f (DORA), SIGUSR1 (renew, unicast), SIGUSR2 (RELEASE), SIGTERM",
  },
  {
    client: "udhcpc",
    package: "busybox",
    name: "decline",
    mac: "02:6e:70:02:00:99",
    pinned: "10.98.0.97",
    seconds: 15,
    script: `timeout 8 busybox udhcpc -i c0 -f -q -n -a -t 2 -T 2 -s "$W/udhcpc-script"
true`,
    how: "busybox udhcpc -a (ARP-validate the offer); dnsmasq offers an address another host " +
      "already holds -> DHCPDECLINE",
  },
  {
    client: "systemd-networkd",
    package: "systemd",
    name: "lifecycle",
    mac: "02:6e:70:03:00:01",
    seconds: 25,
    script: `cp "$W/lifecycle.network" /run/systemd/network/10-c0.network
SYSTEMD_LOG_LEVEL=debug ${NETWORKD} &
pid=$!
sleep ${T1_SECONDS + 6}; kill -TERM $pid; wait $pid`,
    how: `${NETWORKD} run directly (no systemd as PID 1: /sys remounted read-only so it does ` +
      "not wait for udev, tmpfs /run), DHCP=ipv4; DORA, renew at T1, SIGTERM (RELEASE)",
  },
  {
    client: "dhcpcd",
    package: "dhcpcd-base",
    name: "lifecycle",
    mac: "02:6e:70:04:00:01",
    seconds: 30,
    script: `${DHCPCD} c0 &
pid=$!
sleep 9; dhcpcd -4 -n c0; sleep 3; dhcpcd -4 -k c0; sleep 2; dhcpcd -4 -x c0; wait $pid`,
    how: "dhcpcd -B with Debian's /etc/dhcpcd.conf (DORA after ARP probing), dhcpcd -n " +
      "(rebind), dhcpcd -k (RELEASE)",
  },
  {
    client: "dhcpcd",
    package: "dhcpcd-base",
    name: "inform",
    mac: "02:6e:70:04:00:02",
    seconds: 20,
    script: `${DHCPCD} -s 10.98.0.70/24 c0 &
pid=$!
sleep 12; dhcpcd -4 -x c0; wait $pid`,
    how: "dhcpcd --inform 10.98.0.70/24 (DHCPINFORM for a statically configured address)",
  },
  {
    client: "dhcpcd",
    package: "dhcpcd-base",
    name: "decline",
    mac: "02:6e:70:04:00:99",
    pinned: "10.98.0.99",
    seconds: 25,
    script: `${DHCPCD} c0 &
pid=$!
sleep 14; dhcpcd -4 -x c0; wait $pid`,
    how: "dhcpcd ARP-probes the offered address, which another host holds -> DHCPDECLINE",
  },
];

/** Helper files in the work dir: client scripts that touch nothing outside the namespace. */
const WORK_FILES: Record<string, string> = {
  "dhclient-script": `#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT) ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev "$interface" ;;
esac
exit 0
`,
  "decline-script": `#!/bin/sh
case "$reason" in
  BOUND|REBOOT) exit 1 ;;
esac
exit 0
`,
  "udhcpc-script": `#!/bin/sh
case "$1" in
  bound|renew) ip -4 addr replace "$ip/$subnet" dev "$interface" ;;
  deconfig) ip -4 addr flush dev "$interface" ;;
esac
exit 0
`,
  "lifecycle.network": `[Match]
Name=c0

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
`,
};

/**
 * Runs before each phase script, inside the client namespace: own hostname (option 12 is then
 * the same on every machine), tmpfs over /run and the clients' state dirs (nothing written to
 * the host), /sys read-only (systemd-networkd then treats links as initialized without udev).
 */
const PREPARE = `set -e
hostname ${HOSTNAME}
mount -o remount,bind,ro /sys
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/network /run/systemd/netif
chown systemd-network:systemd-network /run/systemd/netif
for d in /var/lib/dhcp /var/lib/dhcpcd /etc/systemd/network; do mount -t tmpfs tmpfs $d; done
set +e
`;

interface Captured {
  readonly phase: Phase;
  readonly bytes: Uint8Array;
  readonly packet: DhcpPacket;
  readonly ipSource: string;
  readonly ipDestination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly time: number;
}

async function run(command: string[], allowFail = false): Promise<string> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success && !allowFail) {
    const detail = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot run ${command.join(" ")}: ${detail}`);
  }
  return text;
}

async function packageVersion(name: string): Promise<string> {
  const line = await run(["dpkg-query", "-W", name]);
  return line.trim().split("\t")[1] ?? "";
}

/** Kills every process still running in `ns` (all were started by this script), by PID. */
async function killAllIn(ns: string): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    const pids = (await run(["ip", "netns", "pids", ns], true)).split(/\s+/).filter(Boolean);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        Deno.kill(Number(pid), signal);
      } catch { /* gone */ }
    }
    await sleep(500);
  }
}

/** A veth pair created directly inside its two namespaces (names never meet the host's). */
async function vethPair(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
  await ip("link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForFile(path: string, minBytes: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if (Deno.statSync(path).size >= minBytes) return;
    } catch { /* not yet */ }
    await sleep(50);
  }
  throw new Error(`Cannot start capture: ${path} did not appear`);
}

/** Ethernet + IPv4 + UDP frames of a classic pcap → UDP payloads with their addresses. */
function udpDatagrams(pcap: Uint8Array) {
  const { linkType, records } = readPcap(pcap);
  if (linkType !== 1) throw new Error(`Cannot read capture: link type ${linkType}, not Ethernet`);
  const out = [];
  for (const { data, time } of records) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < 42 || view.getUint16(12) !== 0x0800 || data[23] !== 17) continue;
    const ipStart = 14;
    const ihl = (data[ipStart] & 0x0f) * 4;
    const udpStart = ipStart + ihl;
    const udpLength = view.getUint16(udpStart + 4);
    out.push({
      time,
      ipSource: data.slice(ipStart + 12, ipStart + 16).join("."),
      ipDestination: data.slice(ipStart + 16, ipStart + 20).join("."),
      sourcePort: view.getUint16(udpStart),
      destinationPort: view.getUint16(udpStart + 2),
      payload: data.slice(udpStart + 8, udpStart + udpLength),
    });
  }
  return out;
}

/** RFC 2131 §4.3.2 / table 4: which state a DHCPREQUEST was sent from. */
function requestVariant(packet: DhcpPacket, ipDestination: string): string {
  if (packet.options.has(Opt.ServerId)) return "selecting";
  if (packet.ciaddr === "0.0.0.0") return "init-reboot";
  return ipDestination === "255.255.255.255" ? "rebinding" : "renewing";
}

async function capturePhase(
  lab: NetnsLab,
  cli: string,
  phase: Phase,
  work: string,
): Promise<Captured[]> {
  console.log(`phase ${phase.client}/${phase.name} (${phase.mac})`);
  await ip("-n", cli, "link", "set", "c0", "down");
  await ip("-n", cli, "addr", "flush", "dev", "c0");
  await ip("-n", cli, "link", "set", "c0", "address", phase.mac);
  await ip("-n", cli, "link", "set", "c0", "up");

  const pcapPath = `${work}/${phase.client}-${phase.name}.pcap`;
  const tcpdump = lab.spawn(cli, [
    "tcpdump",
    "-i",
    "c0",
    "-U",
    "-n",
    "-w",
    pcapPath,
    "udp port 67 or udp port 68 or udp port 4011",
  ]);
  await waitForFile(pcapPath, 24, 5_000);
  await sleep(300);

  // Not lab.spawn: clients that daemonize keep its stdout pipe open. Output goes to a log file.
  const log = `${work}/${phase.client}-${phase.name}.log`;
  const script = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      cli,
      "unshare",
      "--uts",
      "sh",
      "-c",
      `W='${work}'
exec >'${log}' 2>&1
${PREPARE}
${phase.script}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => script.kill("SIGKILL"), phase.seconds * 1000);
  const status = await script.status;
  clearTimeout(timer);
  if (status.code !== 0) console.log(`  script exit ${status.code}, see ${log}`);
  await sleep(1000);
  await killAllIn(cli);
  await tcpdump.stop();

  const captured: Captured[] = [];
  for (const datagram of udpDatagrams(Deno.readFileSync(pcapPath))) {
    if (datagram.destinationPort !== 67) continue; // client → server only
    captured.push({
      phase,
      bytes: datagram.payload,
      packet: decodePacket(datagram.payload),
      ipSource: datagram.ipSource,
      ipDestination: datagram.ipDestination,
      sourcePort: datagram.sourcePort,
      destinationPort: datagram.destinationPort,
      time: datagram.time,
    });
  }
  const types = captured.map((c) => messageTypeName(getMessageType(c.packet.options)));
  console.log(`  ${captured.length} client packets: ${types.join(", ")}`);
  return captured;
}

function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function macOf(packet: DhcpPacket): string {
  return [...packet.chaddr.slice(0, packet.hlen)].map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { keep: { type: "boolean" }, only: { type: "string" } },
    strict: true,
  });
  // --only CLIENT[/PHASE]: a trial run of some phases; fixtures are left untouched.
  const only = values.only;
  const keep = (values.keep ?? false) || only !== undefined;
  const phases = PHASES.filter((p) =>
    only === undefined || `${p.client}/${p.name}`.startsWith(only)
  );
  if (Deno.uid() !== 0) throw new Error("Cannot capture: network namespaces need root");
  const versions: Record<string, string> = {};
  for (const name of ["isc-dhcp-client", "busybox", "systemd", "dhcpcd-base", "dnsmasq-base"]) {
    versions[name] = await packageVersion(name);
  }
  const tcpdumpVersion = (await run(["tcpdump", "--version"])).split("\n")[0];
  const work = Deno.makeTempDirSync({ prefix: "nonpxe-capture-" });
  for (const [name, text] of Object.entries(WORK_FILES)) {
    Deno.writeTextFileSync(`${work}/${name}`, text, { mode: 0o755 });
  }

  const lab = new NetnsLab();
  const namespaces: string[] = [];
  const captured: Captured[] = [];
  try {
    const srv = await lab.namespace("srv");
    const cli = await lab.namespace("cli");
    const squat = await lab.namespace("squat");
    namespaces.push(srv, cli, squat);
    for (const ns of namespaces) {
      // IPv4 only: no router solicitations or DHCPv6 noise in the captures.
      for (const scope of ["all", "default"]) {
        await run([
          "ip",
          "netns",
          "exec",
          ns,
          "sysctl",
          "-qw",
          `net.ipv6.conf.${scope}.disable_ipv6=1`,
        ]);
      }
    }
    await ip("-n", srv, "link", "add", "br0", "type", "bridge");
    await vethPair(srv, "pc", cli, "c0");
    await vethPair(srv, "pq", squat, "q0");
    for (const port of ["pc", "pq"]) {
      await ip("-n", srv, "link", "set", port, "master", "br0");
      await ip("-n", srv, "link", "set", port, "up");
    }
    await ip("-n", srv, "addr", "add", `${SERVER_IP}/24`, "dev", "br0");
    await ip("-n", srv, "link", "set", "br0", "up");
    for (const phase of PHASES) {
      if (phase.pinned) await ip("-n", squat, "addr", "add", `${phase.pinned}/24`, "dev", "q0");
    }
    await ip("-n", squat, "link", "set", "q0", "up");

    // A plain address server: no boot options, no DNS, leases in the work dir, no ping check
    // (pinned addresses must be offered although the squatter holds them).
    const dnsmasq = lab.spawn(srv, [
      "dnsmasq",
      "--no-daemon",
      "--conf-file=/dev/null",
      "--port=0",
      "--interface=br0",
      "--bind-interfaces",
      "--no-ping",
      "--log-dhcp",
      `--dhcp-leasefile=${work}/dnsmasq.leases`,
      `--pid-file=${work}/dnsmasq.pid`,
      "--dhcp-range=10.98.0.50,10.98.0.69,255.255.255.0,2m",
      `--dhcp-option=option:T1,${T1_SECONDS}`,
      `--dhcp-option=option:T2,${T2_SECONDS}`,
      ...PHASES.filter((p) => p.pinned).map((p) => `--dhcp-host=${p.mac},${p.pinned}`),
    ]);
    await sleep(1000);

    for (const phase of phases) captured.push(...await capturePhase(lab, cli, phase, work));
    await dnsmasq.stop();
  } finally {
    for (const ns of namespaces) await killAllIn(ns);
    await lab.cleanup();
  }

  if (only === undefined) writeFixtures(captured, versions, tcpdumpVersion);
  if (keep) console.log(`pcaps and client logs kept in ${work}`);
  else Deno.removeSync(work, { recursive: true });
}

function writeFixtures(
  captured: Captured[],
  versions: Record<string, string>,
  tcpdumpVersion: string,
): void {
  Deno.mkdirSync(OUT_DIR, { recursive: true });
  for (const entry of Deno.readDirSync(OUT_DIR)) {
    if (entry.name.endsWith(".bin")) Deno.removeSync(new URL(entry.name, OUT_DIR));
  }
  const date = new Date().toISOString().slice(0, 10);
  const seen = new Set<string>();
  const perKind = new Map<string, number>();
  const fixtures = [];
  for (const c of captured) {
    const digest = createHash("sha256").update(c.bytes).digest("hex");
    if (seen.has(digest)) continue;
    seen.add(digest);
    const type = messageTypeName(getMessageType(c.packet.options)).toLowerCase();
    const variant = type === "request" ? requestVariant(c.packet, c.ipDestination) : undefined;
    const kind = [c.phase.client, type, variant].filter(Boolean).join("-");
    const n = (perKind.get(kind) ?? 0) + 1;
    if (n > MAX_PER_KIND) continue;
    perKind.set(kind, n);
    const file = `${kind}-${n}.bin`;
    Deno.writeFileSync(new URL(file, OUT_DIR), c.bytes);
    fixtures.push({
      file,
      sha256: digest,
      length: c.bytes.length,
      client: c.phase.client,
      package: c.phase.package,
      package_version: versions[c.phase.package],
      captured: date,
      message_type: type,
      request_state: variant ?? null,
      phase: `${c.phase.client}/${c.phase.name}`,
      how_captured: c.phase.how,
      udp_src_port: c.sourcePort,
      udp_dst_port: c.destinationPort,
      ip_src: c.ipSource,
      ip_dst: c.ipDestination,
      xid: "0x" + c.packet.xid.toString(16).padStart(8, "0"),
      chaddr: macOf(c.packet),
      ciaddr: c.packet.ciaddr,
      flags: "0x" + c.packet.flags.toString(16).padStart(4, "0"),
      vendor_class_60: getVendorClass(c.packet.options) ?? null,
      client_id_61: c.packet.options.has(Opt.ClientId)
        ? hexOf(c.packet.options.get(Opt.ClientId)!)
        : null,
      options_order: [...c.packet.options.keys()],
    });
  }
  const manifest = {
    generated_by: "scripts/capture_nonpxe.ts",
    captured: date,
    server: `dnsmasq ${versions["dnsmasq-base"]} (dnsmasq-base), plain DHCP, no boot options`,
    capture: `${tcpdumpVersion}, on the client's veth inside a network namespace; each .bin is ` +
      "the UDP payload of one client->server datagram (port 67), unchanged, padding included",
    kernel: Deno.osRelease(),
    packages: versions,
    fixtures,
  };
  Deno.writeTextFileSync(
    new URL("manifest.json", OUT_DIR),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  Deno.writeTextFileSync(new URL("README.md", OUT_DIR), readme(fixtures, versions, date));
  console.log(`wrote ${fixtures.length} fixtures to ${OUT_DIR.pathname}`);
}

function readme(
  fixtures: { file: string; client: string; message_type: string; how_captured: string }[],
  versions: Record<string, string>,
  date: string,
): string {
  const clients = [...new Set(PHASES.map((p) => p.client))];
  const rows = fixtures.map((f) => `| \`${f.file}\` | ${f.client} | ${f.message_type} |`);
  const versionLines = Object.entries(versions).map(([name, v]) => `- ${name} ${v}`);
  return `# Non-PXE DHCP client packets (real clients, captured here)

Packets that ordinary DHCP clients send while getting, renewing, declining and releasing an
address. A ProxyDHCP server must answer none of them (protocol.md §3, §9):
\`tests/integration/nonpxe_test.ts\` replays every file to both daemon ports and expects silence.

Generated by \`scripts/capture_nonpxe.ts\` (root, not in CI) on ${date}. Do not edit by hand: rerun
the script, which rewrites the \`.bin\` files, \`manifest.json\` and this file.

Clients: ${clients.join(", ")}.

How: three network namespaces (client, a bridge with dnsmasq as a plain address server, and an
"address squatter"), no default route, nothing outside them. Each client runs through a
scripted life with its own MAC (the \`phase\` and \`how_captured\` fields of the manifest);
tcpdump on the client's veth records it. Each \`.bin\` is the UDP payload of one
client-to-server datagram (destination port 67), byte for byte, padding included (unlike
\`../public/\`, nothing is stripped). \`manifest.json\` has, per file: the client, its Debian
package and version, capture date, message type, REQUEST state (RFC 2131 §4.3.2: selecting,
init-reboot, renewing, rebinding), the phase and how it was driven, UDP ports, IP addresses, xid,
chaddr, ciaddr, flags, options 60 and 61, and the option order. At most ${MAX_PER_KIND} distinct
packets are kept per client, type and state.

Packages:
${versionLines.join("\n")}

No client here sends option 93 or a \`PXEClient\` vendor class. systemd-networkd runs without
systemd as PID 1: started directly inside the namespace, with \`/sys\` remounted read-only (it
then does not wait for udev) and a tmpfs \`/run\`. DHCPINFORM comes from dhcpcd only (dhclient,
udhcpc and networkd never send it). systemd-networkd 252 sends no DECLINE here: with
\`SendDecline=yes\` it detects the conflict, then unicasts the DECLINE from the very address it
declines, which was never assigned, and logs "Failed to send DHCP DECLINE, ignoring: Network is
unreachable".

| file | client | message |
|---|---|---|
${rows.join("\n")}
`;
}

if (import.meta.main) await main();
