/**
 * Judges a scenario from its evidence: when a run may stop early (`settled`) and what is wrong
 * with it (`findFailures`, empty = pass). Every rule reads real packets or real log lines.
 */
import { Opt } from "../../src/dhcp/options.ts";
import { MessageType } from "../../src/dhcp/options.ts";
import {
  archCodes,
  bootFile,
  type DhcpFrame,
  isFromClient,
  messageType,
  serverId,
  textOption,
} from "./capture.ts";
import type { Evidence } from "./evidence.ts";
import type { Decision, ProxyKind } from "./proxy.ts";
import { checkRelayed } from "./relay_checks.ts";
import type { Expectation, Scenario } from "./scenarios.ts";
import { ADDRESSES } from "./topology.ts";

/**
 * How long a silent proxy is watched after the client's first DISCOVER. EDK2 (OVMF ia32, AAVMF
 * 2022.11) that got only the primary's address OFFER sent the same DISCOVER again about 3.5 s
 * and 11.5 s after the first (measured here), so 12 s covers the original and two copies.
 */
export const SILENCE_WINDOW_S = 12;

export interface LiveState {
  now: number;
  frames: readonly DhcpFrame[];
  markerFound: boolean;
  decisions: readonly Decision[];
  proxyKind: ProxyKind;
}

export function settled(expect: Expectation, live: LiveState): boolean {
  switch (expect.kind) {
    case "marker":
      return live.markerFound;
    case "answered":
      return proxyAcks(live.frames).some((f) => bootFile(f) !== undefined);
    case "dropped": {
      if (proxyFrames(live.frames).length > 0) return true; // Already failed; stop early.
      const discovers = clientDiscovers(live.frames, expect.archCode);
      if (discovers.length === 0) return false;
      const logged = live.proxyKind !== "proxydhcpd" ||
        findDrop(live.decisions, expect.arch) !== undefined;
      return logged && live.now - discovers[0].time >= SILENCE_WINDOW_S;
    }
  }
}

export function findFailures(e: Evidence): string[] {
  const failures = [...e.problems];
  const s = e.scenario;
  failures.push(...checkPrimaryIsAddressOnly(e.frames));
  if (s.network === "relayed") failures.push(...checkRelayed(e));
  switch (s.expect.kind) {
    case "marker":
      failures.push(...checkMarker(e, s.expect));
      break;
    case "dropped":
      failures.push(...checkDropped(e, s, s.expect));
      break;
    case "answered":
      failures.push(...checkAnswered(e, s, s.expect));
      break;
  }
  return failures;
}

function checkMarker(e: Evidence, expect: Extract<Expectation, { kind: "marker" }>): string[] {
  const failures: string[] = [];
  if (!e.markerLine) {
    failures.push(
      `marker "BOOT-OK … run=${e.runId}" not on the serial console` +
        (e.timedOut ? ` within ${e.scenario.deadlineMs / 1000} s` : ""),
    );
  } else if (!e.markerLine.includes(`BOOT-OK ${expect.platform} ${expect.buildarch} `)) {
    failures.push(
      `marker says "${e.markerLine}", expected platform ${expect.platform} ${expect.buildarch}`,
    );
  }
  if (proxyFrames(e.frames).length === 0) failures.push("the proxy sent no packet at all");
  return failures;
}

function checkDropped(
  e: Evidence,
  s: Scenario,
  expect: Extract<Expectation, { kind: "dropped" }>,
): string[] {
  const failures: string[] = [];
  const discovers = clientDiscovers(e.frames, expect.archCode);
  if (discovers.length === 0) {
    failures.push(`no DISCOVER with option 93 = ${expect.archCode} captured`);
  } else if (e.endedAt - discovers[0].time < SILENCE_WINDOW_S) {
    failures.push(`watched the proxy for less than ${SILENCE_WINDOW_S} s after the DISCOVER`);
  }
  for (const frame of proxyFrames(e.frames)) {
    failures.push(`the proxy answered although no bootstrap is configured: ${describe(frame)}`);
  }
  if (e.proxyKind === "proxydhcpd") {
    const drop = findDrop(e.decisions, expect.arch);
    if (!drop) {
      failures.push(`no decision log line with "action":"drop" and "arch":"${expect.arch}"`);
    } else {
      if (typeof drop.reason !== "string" || drop.reason === "") {
        failures.push(`drop log line has no "reason": ${JSON.stringify(drop)}`);
      }
      if (normalizeMac(drop.mac) !== normalizeMac(s.mac)) {
        failures.push(`drop log line has "mac" ${JSON.stringify(drop.mac)}, expected ${s.mac}`);
      }
    }
  }
  return failures;
}

function checkAnswered(
  e: Evidence,
  s: Scenario,
  expect: Extract<Expectation, { kind: "answered" }>,
): string[] {
  const failures: string[] = [];
  if (clientDiscovers(e.frames, expect.archCode).length === 0) {
    failures.push(`no DISCOVER with option 93 = ${expect.archCode} captured`);
  }
  const offers = proxyFrames(e.frames).filter((f) =>
    f.srcPort === 67 && messageType(f) === MessageType.Offer
  );
  if (offers.length === 0) failures.push("no OFFER from the proxy");
  for (const offer of offers) {
    const p = offer.packet!;
    const vendor = textOption(offer, Opt.VendorClass);
    if (vendor !== "PXEClient") failures.push(`proxy OFFER has 60 = ${vendor}, not PXEClient`);
    if (serverId(offer) !== ADDRESSES.proxy) {
      failures.push(`proxy OFFER has 54 = ${serverId(offer)}, not ${ADDRESSES.proxy}`);
    }
    if (p.yiaddr !== "0.0.0.0") failures.push(`proxy OFFER has yiaddr ${p.yiaddr}`);
  }
  const requests = e.frames.filter((f) =>
    isFromClient(f) && f.dstIp === ADDRESSES.proxy && f.dstPort === 4011 &&
    messageType(f) === MessageType.Request && archCodes(f).includes(expect.archCode)
  );
  if (requests.length === 0) {
    failures.push(`no REQUEST to ${ADDRESSES.proxy}:4011 with option 93 = ${expect.archCode}`);
  }
  const acks = proxyAcks(e.frames);
  if (acks.length === 0) failures.push("no ACK from the proxy on udp/4011");
  for (const ack of acks) {
    if (bootFile(ack) !== expect.bootFile) {
      failures.push(`proxy 4011 ACK carries file ${bootFile(ack)}, expected ${expect.bootFile}`);
    }
    if (normalizeMac(ack.packet!.chaddr.subarray(0, 6)) !== normalizeMac(s.mac)) {
      failures.push(`proxy 4011 ACK addressed to another chaddr`);
    }
  }
  return failures;
}

/** The primary must hand out addresses only: no boot file, no PXEClient vendor class. */
function checkPrimaryIsAddressOnly(frames: readonly DhcpFrame[]): string[] {
  return serverFrames(frames, ADDRESSES.primary).filter((f) => f.packet).flatMap((f) => {
    const p = f.packet!;
    return p.file || p.options.has(Opt.BootfileName) || p.options.has(Opt.VendorClass)
      ? [`the primary DHCP server sent boot options: ${describe(f)}`]
      : [];
  });
}

// ---- selectors ----

export function proxyFrames(frames: readonly DhcpFrame[]): DhcpFrame[] {
  return serverFrames(frames, ADDRESSES.proxy);
}

/**
 * Replies of one server: sent from its address, or (relayed onto the client segment, where the
 * relay is the IP source) naming it in option 54.
 */
function serverFrames(frames: readonly DhcpFrame[], server: string): DhcpFrame[] {
  return frames.filter((f) => f.srcIp === server || (f.packet?.op === 2 && serverId(f) === server));
}

function proxyAcks(frames: readonly DhcpFrame[]): DhcpFrame[] {
  return proxyFrames(frames).filter((f) =>
    f.srcPort === 4011 && messageType(f) === MessageType.Ack
  );
}

export function clientDiscovers(frames: readonly DhcpFrame[], archCode?: number): DhcpFrame[] {
  return frames.filter((f) =>
    isFromClient(f) && messageType(f) === MessageType.Discover &&
    (archCode === undefined || archCodes(f).includes(archCode))
  );
}

export function findDrop(decisions: readonly Decision[], arch: string): Decision | undefined {
  return decisions.find((d) => d.action === "drop" && d.arch === arch);
}

function normalizeMac(mac: unknown): string {
  if (mac instanceof Uint8Array) {
    return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return typeof mac === "string" ? mac.toLowerCase().replace(/[^0-9a-f]/g, "") : String(mac);
}

function describe(frame: DhcpFrame): string {
  return `${frame.srcIp}:${frame.srcPort} → ${frame.dstIp}:${frame.dstPort} ` +
    `type ${messageType(frame)} file=${bootFile(frame) ?? "-"}`;
}
