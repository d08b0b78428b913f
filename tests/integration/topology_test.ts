/**
 * Networks as they really are, in network namespaces: a server with two NICs (with and without a
 * default route, which points at the other NIC), `interface=` restriction, and a real DHCP relay
 * (dnsmasq --dhcp-relay) between a client segment and the server. The daemon runs with the
 * documented minimal flags on the real ports 67/4011/68 inside its namespace.
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { daemonPermissionFlags } from "../../src/permissions.ts";
import { type LabProcess, NetnsLab, netnsSupport } from "../net/_netns.ts";
import { MAIN } from "../support/daemon.ts";
import type { AgentSpec } from "./_pxe_agent.ts";

const support = netnsSupport();
const AGENT = fileURLToPath(new URL("./_pxe_agent.ts", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/public/", import.meta.url));
const DISCOVER = FIXTURES + "asrock_uefi_x64-arch7-discover-67.bin";
const REQUEST = FIXTURES + "asrock_uefi_x64-arch7-request-4011.bin";

const BASE_INI = `[proxy]
tftpd=%TFTPD%
[ipxe]
enabled=true
legacy_bootstrap=undionly.kpxe
efi_bootstrap=ipxe.efi
chainload_url=http://10.70.0.9/boot.ipxe
`;

async function startDaemon(lab: NetnsLab, ns: string, ini: string): Promise<LabProcess> {
  const config = Deno.makeTempFileSync({ suffix: ".ini" });
  Deno.writeTextFileSync(config, ini);
  const daemon = lab.spawn(ns, [
    Deno.execPath(),
    "run",
    ...daemonPermissionFlags({ configPath: config }),
    MAIN,
    "-c",
    config,
  ]);
  for (;;) {
    const line = await daemon.nextLine(20_000);
    if (line.includes("listening")) return daemon;
  }
}

interface Reply {
  event: string;
  type?: number;
  from?: string;
  serverId?: string;
  siaddr?: string;
  giaddr?: string;
  file?: string;
  agentInfo?: boolean;
}

async function pxeClient(lab: NetnsLab, ns: string, spec: AgentSpec): Promise<Reply[]> {
  const agent = lab.spawn(ns, [Deno.execPath(), "run", "-A", AGENT, JSON.stringify(spec)]);
  const events: Reply[] = [];
  for (;;) {
    const event = JSON.parse(await agent.nextLine(spec.waitMs * 3 + 15_000)) as Reply;
    if (event.event === "done") return events;
    events.push(event);
  }
}

/** A server namespace with one NIC on each of two client segments 10.<net>.1.0/24 and .2.0/24. */
async function twoSegments(lab: NetnsLab, net: number) {
  const srv = await lab.namespace("srv");
  const c1 = await lab.namespace("c1");
  const c2 = await lab.namespace("c2");
  await lab.veth(srv, "s1", `10.${net}.1.1/24`, c1, "c1", `10.${net}.1.2/24`);
  await lab.veth(srv, "s2", `10.${net}.2.1/24`, c2, "c2", `10.${net}.2.2/24`);
  return { srv, c1, c2 };
}

Deno.test({
  name: "two NICs: each segment gets its OFFER out of its own NIC with that NIC's address in 54",
  ignore: !support.ok,
  async fn() {
    const lab = new NetnsLab();
    try {
      const { srv, c1, c2 } = await twoSegments(lab, 71);
      const ini = BASE_INI.replace("tftpd=%TFTPD%\n", "");

      for (const phase of ["no default route", "default route via the other NIC"]) {
        if (phase !== "no default route") await lab.route(srv, "default", "via", "10.71.1.2");
        const daemon = await startDaemon(lab, srv, ini);
        const [one, two] = await Promise.all([
          pxeClient(lab, c1, {
            discover: DISCOVER,
            request4011: REQUEST,
            mac: "02:00:00:00:01:01",
            xid: 0x1111,
            ifname: "c1",
            address: "10.71.1.2",
            waitMs: 1500,
          }),
          pxeClient(lab, c2, {
            discover: DISCOVER,
            request4011: REQUEST,
            mac: "02:00:00:00:02:02",
            xid: 0x2222,
            ifname: "c2",
            address: "10.71.2.2",
            waitMs: 1500,
          }),
        ]);
        for (const [replies, own] of [[one, "10.71.1.1"], [two, "10.71.2.1"]] as const) {
          const offer = replies.find((r) => r.type === 2);
          const ack = replies.find((r) => r.type === 5);
          ok(offer, `${phase}: no OFFER on the ${own} segment: ${JSON.stringify(replies)}`);
          equal([offer.serverId, offer.siaddr, offer.from], [own, own, `${own}:67`], phase);
          ok(ack, `${phase}: no 4011 ACK on the ${own} segment: ${JSON.stringify(replies)}`);
          equal([ack.serverId, ack.siaddr, ack.file, ack.from], [
            own,
            own,
            "ipxe.efi",
            `${own}:4011`,
          ]);
          equal(
            replies.filter((r) => r.event === "reply").length,
            2,
            "nothing from the other segment",
          );
        }
        await daemon.stop();
      }
    } finally {
      await lab.cleanup();
    }
  },
});

Deno.test({
  name: "interface=: requests arriving on an unlisted NIC get no reply",
  ignore: !support.ok,
  async fn() {
    const lab = new NetnsLab();
    try {
      const { srv, c1, c2 } = await twoSegments(lab, 73);
      const restricted = await startDaemon(
        lab,
        srv,
        BASE_INI.replace("tftpd=%TFTPD%", "tftpd=10.73.1.1\ninterface=s1"),
      );
      const [one, two] = await Promise.all([
        pxeClient(lab, c1, {
          discover: DISCOVER,
          mac: "02:00:00:00:03:01",
          xid: 0x3131,
          ifname: "c1",
          waitMs: 1500,
        }),
        pxeClient(lab, c2, {
          discover: DISCOVER,
          mac: "02:00:00:00:03:02",
          xid: 0x3232,
          ifname: "c2",
          waitMs: 1500,
        }),
      ]);
      equal(one.filter((r) => r.type === 2).length, 1, JSON.stringify(one));
      equal(two.filter((r) => r.event === "reply").length, 0, JSON.stringify(two));
      await restricted.stop();
    } finally {
      await lab.cleanup();
    }
  },
});

for (const transport of ["pktinfo", "portable"]) {
  Deno.test({
    name:
      `relay (${transport}): a client behind dnsmasq --dhcp-relay gets its OFFER via giaddr:67, then its 4011 ACK routed`,
    ignore: !support.ok,
    async fn() {
      const lab = new NetnsLab();
      try {
        const srv = await lab.namespace("srv");
        const relay = await lab.namespace("rly");
        const cli = await lab.namespace("cli");
        await lab.veth(srv, "s0", "10.72.0.1/24", relay, "r1", "10.72.0.2/24");
        await lab.veth(relay, "r0", "10.72.1.1/24", cli, "c0", "10.72.1.2/24");
        // Routed, not bridged: the server reaches the client segment through the relay router.
        await lab.route(srv, "10.72.1.0/24", "via", "10.72.0.2");
        await lab.route(cli, "10.72.0.0/24", "via", "10.72.1.1");
        await lab.spawn(relay, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]).finished;
        lab.spawn(relay, [
          "dnsmasq",
          "--keep-in-foreground",
          "--port=0",
          "--no-resolv",
          "--log-facility=-",
          "--dhcp-relay=10.72.1.1,10.72.0.1",
          "--interface=r0",
          "--interface=r1",
          "--bind-interfaces",
        ]);
        // The portable transport sends through Deno's permission-checked sockets (--allow-net):
        // relayed replies are unicast, so it must serve relays too.
        const daemon = await startDaemon(
          lab,
          srv,
          BASE_INI.replace("%TFTPD%", "10.72.0.1") + `[server]\ntransport=${transport}\n`,
        );
        const replies = await pxeClient(lab, cli, {
          discover: DISCOVER,
          request4011: REQUEST,
          mac: "02:00:00:00:04:01",
          xid: 0x4141,
          ifname: "c0",
          address: "10.72.1.2",
          waitMs: 2500,
        });
        const offer = replies.find((r) => r.type === 2);
        ok(offer, `no OFFER through the relay: ${JSON.stringify(replies)}`);
        equal([offer.serverId, offer.giaddr], ["10.72.0.1", "10.72.1.1"]);
        const ack = replies.find((r) => r.type === 5);
        ok(ack, `no 4011 ACK: ${JSON.stringify(replies)}`);
        equal([ack.from, ack.file], ["10.72.0.1:4011", "ipxe.efi"]);
        await daemon.stop();
      } finally {
        await lab.cleanup();
      }
    },
  });
}
