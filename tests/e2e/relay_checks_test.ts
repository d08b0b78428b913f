/**
 * The relay scenario's judge (scripts/e2e/relay_checks.ts) must fail a proxy that answers a
 * relayed client the way the original proxyDHCPd does (broadcast on its own segment, protocol.md
 * pitfall 13), not only pass the good run. Frames are encoded and decoded by the project's codec,
 * exactly as the capture decodes them; no root needed.
 */
import assert from "node:assert/strict";
import { decodePacket, type DhcpPacket, encodePacket } from "../../src/dhcp/packet.ts";
import { ipv4, latin1Bytes, MessageType, Opt, u8 } from "../../src/dhcp/options.ts";
import type { DhcpFrame } from "../../scripts/e2e/capture.ts";
import type { Evidence } from "../../scripts/e2e/evidence.ts";
import { checkRelayed, RELAY_DESTINATION } from "../../scripts/e2e/relay_checks.ts";
import { RELAY_ADDRESSES } from "../../scripts/e2e/routed.ts";
import { scenario } from "../../scripts/e2e/scenarios.ts";
import { ADDRESSES } from "../../scripts/e2e/topology.ts";

const CLIENT = "10.99.1.105";

function frame(
  route: { src: string; srcPort: number; dst: string; dstPort: number },
  fields: { type: number; giaddr: string; ciaddr?: string },
): DhcpFrame {
  const packet: DhcpPacket = {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x12345678,
    secs: 0,
    flags: 0x8000,
    ciaddr: fields.ciaddr ?? "0.0.0.0",
    yiaddr: "0.0.0.0",
    siaddr: ADDRESSES.proxy,
    giaddr: fields.giaddr,
    chaddr: new Uint8Array([0x52, 0x54, 0, 0x99, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    sname: "",
    file: "",
    options: new Map([
      [Opt.MessageType, u8(fields.type)],
      [Opt.ServerId, ipv4(ADDRESSES.proxy)],
      [Opt.VendorClass, latin1Bytes("PXEClient")],
    ]),
  };
  const payload = encodePacket(packet);
  return {
    time: 0,
    srcMac: "02:00:00:00:00:01",
    srcIp: route.src,
    dstIp: route.dst,
    srcPort: route.srcPort,
    dstPort: route.dstPort,
    payload,
    packet: decodePacket(payload),
  };
}

const relayedOffer = frame(
  { src: RELAY_ADDRESSES.client, srcPort: 67, dst: "255.255.255.255", dstPort: 68 },
  { type: MessageType.Offer, giaddr: RELAY_ADDRESSES.client },
);
const routedAck = frame(
  { src: ADDRESSES.proxy, srcPort: 4011, dst: CLIENT, dstPort: 4011 },
  { type: MessageType.Ack, giaddr: "0.0.0.0", ciaddr: CLIENT },
);

function evidence(frames: DhcpFrame[], offerTo: string): Evidence {
  return {
    scenario: scenario("x64-uefi-edk2-relayed"),
    proxyKind: "proxydhcpd",
    runId: "test",
    workDir: "/nonexistent",
    qemuStartedAt: 0,
    endedAt: 1,
    timedOut: false,
    frames,
    pcap: new Uint8Array(),
    serial: "",
    proxyConfig: "",
    proxyLog: [],
    decisions: [{ type: "DISCOVER", action: "offer", to: offerTo }, {
      type: "REQUEST",
      action: "ack",
      to: `${CLIENT}:4011`,
    }],
    primaryLog: [],
    problems: [],
  };
}

Deno.test("relay checks: OFFER via the relay with giaddr, logged to giaddr:67 → pass", () => {
  assert.deepEqual(checkRelayed(evidence([relayedOffer, routedAck], RELAY_DESTINATION)), []);
});

Deno.test("relay checks: OFFER broadcast by the proxy itself, giaddr 0 → fail", () => {
  const local = frame(
    { src: ADDRESSES.proxy, srcPort: 67, dst: "255.255.255.255", dstPort: 68 },
    { type: MessageType.Offer, giaddr: "0.0.0.0" },
  );
  const failures = checkRelayed(evidence([local, routedAck], "255.255.255.255:68"));
  assert.equal(failures.length, 3, failures.join("\n"));
  assert.match(failures[0], /giaddr 0\.0\.0\.0, not the relay's 10\.99\.1\.1/);
  assert.match(failures[1], /came from 10\.99\.0\.3, not from the relay/);
  assert.match(failures[2], /"to":"255\.255\.255\.255:68", expected "10\.99\.1\.1:67"/);
});

Deno.test("relay checks: no proxy OFFER and no routed 4011 ACK → fail", () => {
  const failures = checkRelayed(evidence([], RELAY_DESTINATION));
  assert.deepEqual(failures, [
    "no proxy OFFER (54 = 10.99.0.3) on the client segment",
    "no udp/4011 ACK from the proxy reached the client segment through the router",
  ]);
});
