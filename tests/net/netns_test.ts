/**
 * The pktinfo transport on real veth links between network namespaces: what Deno.listenDatagram
 * cannot do (toolchain.md "UDP, broadcast and interfaces") and pktinfo must.
 * Each scenario builds its own namespaces and runs the agents inside them as child processes.
 */

import assert from "node:assert/strict";
import { type LabProcess, NetnsLab, netnsSupport } from "./_netns.ts";
import {
  agentCommand,
  type DatagramEvent,
  type ListenSpec,
  type SendResult,
  type SendSpec,
} from "./_udp_agent.ts";

const support = netnsSupport();
if (!support.ok) console.warn(`SKIPPED network-namespace transport tests: ${support.reason}`);

const BROADCAST = "255.255.255.255";
const AGENT_START_MS = 20_000;

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

async function startListener(lab: NetnsLab, ns: string, spec: ListenSpec): Promise<LabProcess> {
  const process = lab.spawn(ns, agentCommand(spec));
  assert.deepEqual(JSON.parse(await process.nextLine(AGENT_START_MS)), { event: "ready" });
  return process;
}

async function events(process: LabProcess): Promise<Record<string, unknown>[]> {
  const exit = await process.finished;
  assert.equal(exit.code, 0, `agent failed: ${exit.stderr}`);
  return exit.stdout.filter((line) => line !== "").map((line) => JSON.parse(line));
}

async function datagrams(listener: LabProcess): Promise<DatagramEvent[]> {
  const all = await events(listener);
  assert.deepEqual(all.at(-1), { event: "done", reason: "complete" }, "listener timed out");
  return all.filter((e) => e.event === "datagram") as unknown as DatagramEvent[];
}

async function runSender(lab: NetnsLab, ns: string, spec: SendSpec): Promise<SendResult[]> {
  const all = await events(lab.spawn(ns, agentCommand(spec)));
  return all.filter((e) => e.event === "sent" || e.event === "error") as unknown as SendResult[];
}

Deno.test({
  name: "netns: without a default route, a broadcast reply leaves by ifindex (and Deno's fails)",
  ignore: !support.ok,
  async fn() {
    const lab = new NetnsLab();
    try {
      const server = await lab.namespace("srv");
      const client = await lab.namespace("cli");
      await lab.veth(server, "s0", "10.77.1.1/24", client, "c0", "10.77.1.2/24");
      assert.equal((await lab.routes(server)).includes("default"), false);
      const s0 = await lab.ifindex(server, "s0");
      const port = randomPort();
      const listener = await startListener(lab, client, {
        op: "listen",
        transport: "deno",
        port,
        until: "end",
        timeoutMs: 10_000,
      });
      const broadcast = { address: BROADCAST, port };
      const results = await runSender(lab, server, {
        op: "send",
        fromPort: port,
        sends: [
          { transport: "pktinfo", to: { ...broadcast, ifindex: s0 }, text: "by-ifindex" },
          { transport: "deno", to: broadcast, text: "by-deno" },
          { transport: "pktinfo", to: broadcast, text: "by-route" },
          { transport: "pktinfo", to: { ...broadcast, ifindex: s0 }, text: "end" },
        ],
      });
      assert.deepEqual(results.map((r) => [r.text, r.event, r.name]), [
        ["by-ifindex", "sent", undefined],
        ["by-deno", "error", "NetworkUnreachable"],
        ["by-route", "error", "NetworkUnreachable"],
        ["end", "sent", undefined],
      ]);
      const received = await datagrams(listener);
      assert.deepEqual(received.map((d) => [d.text, d.sourceAddress, d.sourcePort]), [
        ["by-ifindex", "10.77.1.1", port],
        ["end", "10.77.1.1", port],
      ]);
    } finally {
      await lab.cleanup();
    }
  },
});

Deno.test({
  name: "netns: two NICs: a broadcast by ifindex leaves by that NIC only, not by the default route",
  ignore: !support.ok,
  async fn() {
    const lab = new NetnsLab();
    try {
      const { server, clients } = await twoNicLab(lab);
      const s1 = await lab.ifindex(server, "s1");
      const s2 = await lab.ifindex(server, "s2");
      const port = randomPort();
      const listen: ListenSpec = {
        op: "listen",
        transport: "deno",
        port,
        until: "end",
        timeoutMs: 10_000,
      };
      const listener1 = await startListener(lab, clients[0], listen);
      const listener2 = await startListener(lab, clients[1], listen);
      const broadcast = { address: BROADCAST, port };
      const results = await runSender(lab, server, {
        op: "send",
        fromPort: port,
        sends: [
          {
            transport: "pktinfo",
            to: { ...broadcast, ifindex: s2, sourceAddress: "10.77.2.1" },
            text: "for-nic-2",
          },
          // The wrong-NIC problem: Deno's broadcast follows the default route (NIC 1).
          { transport: "deno", to: broadcast, text: "deno-default-route" },
          // Sent last on each NIC: whatever leaked onto a NIC arrives before its "end".
          { transport: "pktinfo", to: { ...broadcast, ifindex: s1 }, text: "end" },
          { transport: "pktinfo", to: { ...broadcast, ifindex: s2 }, text: "end" },
        ],
      });
      assert.deepEqual(results.map((r) => r.event), ["sent", "sent", "sent", "sent"]);
      const nic1 = await datagrams(listener1);
      const nic2 = await datagrams(listener2);
      assert.deepEqual(nic1.map((d) => [d.text, d.sourceAddress]), [
        ["deno-default-route", "10.77.1.1"],
        ["end", "10.77.1.1"],
      ]);
      assert.deepEqual(nic2.map((d) => [d.text, d.sourceAddress]), [
        ["for-nic-2", "10.77.2.1"],
        ["end", "10.77.2.1"],
      ]);
    } finally {
      await lab.cleanup();
    }
  },
});

Deno.test({
  name: "netns: two NICs: receive reports the arriving NIC, the destination and our address",
  ignore: !support.ok,
  async fn() {
    const lab = new NetnsLab();
    try {
      const { server, clients } = await twoNicLab(lab);
      const s1 = await lab.ifindex(server, "s1");
      const s2 = await lab.ifindex(server, "s2");
      assert.notEqual(s1, s2);
      const port = randomPort();
      const listener = await startListener(lab, server, {
        op: "listen",
        transport: "pktinfo",
        port,
        max: 3,
        timeoutMs: 10_000,
      });
      // Sequential so the order of arrival is known.
      const fromClient1 = await runSender(lab, clients[0], {
        op: "send",
        sends: [
          { transport: "deno", to: { address: BROADCAST, port }, text: "broadcast-1" },
          { transport: "deno", to: { address: "10.77.1.1", port }, text: "unicast-1" },
        ],
      });
      const fromClient2 = await runSender(lab, clients[1], {
        op: "send",
        sends: [{ transport: "deno", to: { address: BROADCAST, port }, text: "broadcast-2" }],
      });
      assert.deepEqual([...fromClient1, ...fromClient2].map((r) => r.event), [
        "sent",
        "sent",
        "sent",
      ]);
      const received = await datagrams(listener);
      assert.deepEqual(
        received.map((d) => [d.text, d.sourceAddress, d.ifindex, d.destinationAddress]),
        [
          ["broadcast-1", "10.77.1.2", s1, BROADCAST],
          ["unicast-1", "10.77.1.2", s1, "10.77.1.1"],
          ["broadcast-2", "10.77.2.2", s2, BROADCAST],
        ],
      );
      assert.deepEqual(received.map((d) => d.serverAddress), [
        "10.77.1.1",
        "10.77.1.1",
        "10.77.2.1",
      ]);
    } finally {
      await lab.cleanup();
    }
  },
});

/**
 * server ─ s1 10.77.1.1/24 ── c1 10.77.1.2/24 ─ client 1   (server's default route: via c1)
 *        └ s2 10.77.2.1/24 ── c2 10.77.2.2/24 ─ client 2
 * Each client has a default route out of its only NIC, so its plain sockets can broadcast.
 */
async function twoNicLab(lab: NetnsLab): Promise<{ server: string; clients: string[] }> {
  const server = await lab.namespace("srv");
  const clients = [await lab.namespace("c1"), await lab.namespace("c2")];
  await lab.veth(server, "s1", "10.77.1.1/24", clients[0], "c1", "10.77.1.2/24");
  await lab.veth(server, "s2", "10.77.2.1/24", clients[1], "c2", "10.77.2.2/24");
  await lab.route(server, "default", "via", "10.77.1.2");
  await lab.route(clients[0], "default", "dev", "c1");
  await lab.route(clients[1], "default", "dev", "c2");
  return { server, clients };
}
