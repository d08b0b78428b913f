/**
 * The shipped bundle, started exactly as documented (`deno run --no-config --unstable-net` plus
 * the flags of scripts/permissions.ts, nothing more), answers real firmware packets: a UEFI
 * DISCOVER on the dhcp port gets a proxy OFFER, the 4011 REQUEST gets an ACK with the boot file.
 *
 * The OFFER is a broadcast (255.255.255.255), so the daemon and the client run in a private
 * network namespace (`unshare -rn`) with only loopback: nothing leaves the machine, and the
 * namespace and every process in it die with the test (`--pid --kill-child`).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bundle } from "../../scripts/bundle.ts";
import { bundleRunFlags } from "../../scripts/permissions.ts";
import { decodePacket } from "../../src/dhcp/packet.ts";
import { getMessageType, getVendorClass, MessageType } from "../../src/dhcp/options.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/public/", import.meta.url));
const DISCOVER = `${FIXTURES}asrock_uefi_x64-arch7-discover-67.bin`;
const REQUEST = `${FIXTURES}asrock_uefi_x64-arch7-request-4011.bin`;
const PORTS = { dhcp: 16767, pxe: 14011, client: 16768 };
const EFI_BOOTSTRAP = "ipxe.efi";

/** Sends each fixture until a reply comes (the daemon may still be starting); prints JSON. */
const CLIENT = `
const [discover, request, dhcp, pxe, client] = Deno.args;
const socket = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: Number(client) });
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
async function ask(path, port) {
  const data = Deno.readFileSync(path);
  for (let attempt = 0; attempt < 50; attempt++) {
    await socket.send(data, { transport: "udp", hostname: "127.0.0.1", port });
    const reply = await Promise.race([
      socket.receive(),
      new Promise((resolve) => setTimeout(resolve, 200)),
    ]);
    if (reply) return { hex: hex(reply[0]), address: reply[1].hostname, port: reply[1].port };
  }
  return null;
}
const offer = await ask(discover, Number(dhcp));
const ack = await ask(request, Number(pxe));
console.log(JSON.stringify({ offer, ack }));
Deno.exit(0);
`;

const UNSHARE_WORKS = await new Deno.Command("unshare", {
  args: ["-rn", "--pid", "--fork", "--kill-child", "ip", "link", "set", "lo", "up"],
  stdout: "null",
  stderr: "null",
}).output().then((r) => r.success, () => false);
const SKIP = UNSHARE_WORKS ? "" : " [ignored: needs unshare -rn and ip (util-linux, iproute2)]";

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

interface Reply {
  hex: string;
  address: string;
  port: number;
}

async function exchange(dir: string, bundlePath: string, transport: "portable" | "pktinfo") {
  const config = `${dir}/proxy-${transport}.ini`;
  await Deno.writeTextFile(
    config,
    `[proxy]
listen_address=127.0.0.1
tftpd=127.0.0.1
[ipxe]
enabled=true
legacy_bootstrap=undionly.kpxe
efi_bootstrap=${EFI_BOOTSTRAP}
chainload_url=boot.ipxe
[server]
dhcp_port=${PORTS.dhcp}
pxe_port=${PORTS.pxe}
client_port=${PORTS.client}
transport=${transport}
`,
  );
  const clientPath = `${dir}/client.js`;
  await Deno.writeTextFile(clientPath, CLIENT);
  const log = `${dir}/daemon-${transport}.log`;
  const deno = quote(Deno.execPath());
  const daemon = [...bundleRunFlags({ configPath: config, ports: PORTS }), bundlePath, "-c", config]
    .map(quote).join(" ");
  const client = [
    "run",
    "--no-config",
    "--unstable-net",
    `--allow-read=${FIXTURES}`,
    "--allow-net",
    clientPath,
    DISCOVER,
    REQUEST,
    ...Object.values(PORTS).map(String),
  ].map(quote).join(" ");
  // A default route on lo gives the broadcast OFFER a way out that stays on lo.
  const script = `set -e
ip link set lo up
ip route add default dev lo
${deno} ${daemon} >${quote(log)} 2>&1 &
${deno} ${client}
`;
  const result = await new Deno.Command("unshare", {
    args: ["-rn", "--pid", "--fork", "--kill-child", "sh", "-c", script],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  const daemonLog = await Deno.readTextFile(log).catch(() => "(no log)");
  const context = `stderr:\n${text.decode(result.stderr)}\ndaemon log:\n${daemonLog}`;
  assert.equal(result.code, 0, context);
  const replies = JSON.parse(text.decode(result.stdout)) as {
    offer: Reply | null;
    ack: Reply | null;
  };
  return { ...replies, context };
}

async function checkTransport(dir: string, bundlePath: string, transport: "portable" | "pktinfo") {
  const { offer, ack, context } = await exchange(dir, bundlePath, transport);
  const discover = decodePacket(await Deno.readFile(DISCOVER));
  const request = decodePacket(await Deno.readFile(REQUEST));

  assert.ok(offer, `no OFFER\n${context}`);
  assert.equal(offer.port, PORTS.dhcp, "OFFER comes from the dhcp port");
  const offered = decodePacket(bytesOf(offer.hex));
  assert.equal(getMessageType(offered.options), MessageType.Offer);
  assert.equal(offered.xid, discover.xid);
  assert.deepEqual(offered.chaddr, discover.chaddr);
  assert.equal(offered.yiaddr, "0.0.0.0", "a proxy offer hands out no address");
  assert.equal(getVendorClass(offered.options), "PXEClient");

  assert.ok(ack, `no ACK\n${context}`);
  assert.equal(ack.port, PORTS.pxe, "ACK comes from the pxe port");
  const acked = decodePacket(bytesOf(ack.hex));
  assert.equal(getMessageType(acked.options), MessageType.Ack);
  assert.equal(acked.xid, request.xid);
  assert.equal(acked.file, EFI_BOOTSTRAP);
  assert.equal(getVendorClass(acked.options), "PXEClient");
}

Deno.test({
  name: `bundle under the documented flags answers DISCOVER and 4011 REQUEST${SKIP}`,
  ignore: !UNSHARE_WORKS,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "proxydhcpd-bundle-test-" });
    try {
      const bundlePath = `${dir}/proxydhcpd.js`;
      await bundle(bundlePath);
      for (const transport of ["portable", "pktinfo"] as const) {
        await t.step(`transport=${transport}`, () => checkTransport(dir, bundlePath, transport));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
