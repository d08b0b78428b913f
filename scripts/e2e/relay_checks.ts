/**
 * Judges a boot on the routed network (routed.ts, relay.ts) from the client segment's capture
 * and the proxy's decision log: the proxy's OFFERs reached the client only through the relay
 * (giaddr = the relay, RFC 2131 §4.1), proxydhcpd sent them to giaddr:67 (protocol.md §6,
 * pitfall 13), and the udp/4011 exchange crossed the router as plain unicast.
 */
import { MessageType } from "../../src/dhcp/options.ts";
import { type DhcpFrame, messageType, serverId } from "./capture.ts";
import type { Evidence } from "./evidence.ts";
import type { Decision } from "./proxy.ts";
import { RELAY_ADDRESSES } from "./routed.ts";
import { ADDRESSES } from "./topology.ts";

/** Where proxydhcpd must send replies to relayed requests: the relay's server port. */
export const RELAY_DESTINATION = `${RELAY_ADDRESSES.client}:67`;

/** The proxy's OFFERs as seen on the client segment (option 54 names the proxy). */
export function relayedProxyOffers(frames: readonly DhcpFrame[]): DhcpFrame[] {
  return frames.filter((f) =>
    f.packet?.op === 2 && messageType(f) === MessageType.Offer && serverId(f) === ADDRESSES.proxy
  );
}

/** The proxy's udp/4011 ACKs that reached the client segment, routed (source = the proxy). */
export function routedProxyAcks(frames: readonly DhcpFrame[]): DhcpFrame[] {
  return frames.filter((f) =>
    f.srcIp === ADDRESSES.proxy && f.srcPort === 4011 && messageType(f) === MessageType.Ack
  );
}

export function offerDecisions(decisions: readonly Decision[]): Decision[] {
  return decisions.filter((d) => d.action === "offer");
}

export function checkRelayed(e: Evidence): string[] {
  const failures: string[] = [];
  const offers = relayedProxyOffers(e.frames);
  if (offers.length === 0) {
    failures.push(`no proxy OFFER (54 = ${ADDRESSES.proxy}) on the client segment`);
  }
  for (const offer of offers) {
    const where = `xid 0x${offer.packet!.xid.toString(16).padStart(8, "0")}`;
    if (offer.packet!.giaddr !== RELAY_ADDRESSES.client) {
      failures.push(
        `proxy OFFER ${where} has giaddr ${offer.packet!.giaddr}, not the relay's ` +
          RELAY_ADDRESSES.client,
      );
    }
    if (offer.srcIp !== RELAY_ADDRESSES.client) {
      failures.push(`proxy OFFER ${where} came from ${offer.srcIp}, not from the relay`);
    }
  }
  if (routedProxyAcks(e.frames).length === 0) {
    failures.push("no udp/4011 ACK from the proxy reached the client segment through the router");
  }
  if (e.proxyKind === "proxydhcpd") failures.push(...checkOfferLog(e.decisions));
  return failures;
}

/** Every OFFER went to the relay: the proxy shares no segment with the client. */
function checkOfferLog(decisions: readonly Decision[]): string[] {
  const offers = offerDecisions(decisions);
  if (offers.length === 0) return [`no decision log line with "action":"offer"`];
  return offers.filter((d) => d.to !== RELAY_DESTINATION).map((d) =>
    `OFFER logged with "to":${JSON.stringify(d.to)}, expected "${RELAY_DESTINATION}": ` +
    JSON.stringify(d)
  );
}

/** One line of evidence for the success report. */
export function relaySummary(e: Evidence): string {
  const offers = relayedProxyOffers(e.frames);
  const giaddrs = [...new Set(offers.map((f) => f.packet!.giaddr))].join(",");
  const logged = offerDecisions(e.decisions).filter((d) => d.to === RELAY_DESTINATION).length;
  const log = e.proxyKind === "proxydhcpd" ? `, ${logged} logged "to":"${RELAY_DESTINATION}"` : "";
  return `${offers.length} proxy OFFERs via the relay (giaddr=${giaddrs || "-"})${log}, ` +
    `${routedProxyAcks(e.frames).length} routed 4011 ACKs`;
}
