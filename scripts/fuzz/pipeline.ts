/**
 * One fuzz input through the whole request path: decode → decide (both ports, every config) →
 * buildReply → encode → decode again, and the rules every reply must keep (protocol.md §2.2, §7:
 * a proxy never hands out an address or lease, always says who it is, echoes 97 and 82).
 */
import { DecodeError } from "../../src/dhcp/errors.ts";
import { decodePacket, type DhcpPacket, encodePacket } from "../../src/dhcp/packet.ts";
import { getMaxMessageSize, hex, MessageType, Opt } from "../../src/dhcp/options.ts";
import { decide, type Port } from "../../src/pxe/decide.ts";
import type { Decision, ReplyDecision } from "../../src/pxe/decision.ts";
import { buildReply } from "../../src/pxe/reply.ts";
import type { NamedConfig } from "./configs.ts";

export interface Violation {
  readonly config: string;
  readonly port: Port | "-";
  /** Where it went wrong: a thrown error's stage, or `rule` for a broken reply rule. */
  readonly stage: "decode" | "decide" | "build" | "encode" | "redecode" | "rule";
  readonly message: string;
}

/** What happened to inputs, for the run summary. */
export interface Tally {
  inputs: number;
  decodeErrors: number;
  replies: number;
  drops: Map<string, number>;
}

export function newTally(): Tally {
  return { inputs: 0, decodeErrors: 0, replies: 0, drops: new Map() };
}

const FORBIDDEN_IN_REPLY = [
  Opt.LeaseTime,
  Opt.RenewalTime,
  Opt.RebindingTime,
  Opt.SubnetMask,
  Opt.Router,
  Opt.DnsServers,
  Opt.Overload,
];
const REQUIRED_IN_REPLY = [Opt.MessageType, Opt.ServerId, Opt.VendorClass];
const PORTS: readonly Port[] = ["dhcp", "pxe"];
/** RFC 2132 §9.10: 576 is the smallest legal maximum; a client that says less gets 576. */
const DEFAULT_MAX_MESSAGE = 576;

/** Runs `bytes` through everything; returns every violation (empty = pass). */
export function runPipeline(
  bytes: Uint8Array,
  configs: readonly NamedConfig[],
  tally?: Tally,
): Violation[] {
  if (tally) tally.inputs++;
  let request: DhcpPacket;
  try {
    request = decodePacket(bytes);
  } catch (error) {
    if (error instanceof DecodeError) {
      if (tally) tally.decodeErrors++;
      return [];
    }
    return [{ config: "-", port: "-", stage: "decode", message: describe(error) }];
  }
  const violations: Violation[] = [];
  for (const named of configs) {
    for (const port of PORTS) {
      violations.push(...routeOne(request, port, named, tally));
    }
  }
  return violations;
}

function routeOne(
  request: DhcpPacket,
  port: Port,
  named: NamedConfig,
  tally?: Tally,
): Violation[] {
  const fail = (stage: Violation["stage"], message: string): Violation[] => [
    { config: named.name, port, stage, message },
  ];
  let decision: Decision;
  try {
    decision = decide(request, port, named.config);
  } catch (error) {
    return fail("decide", describe(error));
  }
  if (decision.action === "drop") {
    if (tally) tally.drops.set(decision.reason, (tally.drops.get(decision.reason) ?? 0) + 1);
    return [];
  }
  if (tally) tally.replies++;
  const built = replyBytes(request, decision, named);
  if ("stage" in built) return fail(built.stage, built.message);
  const problems = replyProblems(request, built.bytes, built.reply);
  const twin = twinProblems(request, port, decision, built.reply, named);
  return [...problems, ...twin].map((message) => ({
    config: named.name,
    port,
    stage: "rule",
    message,
  }));
}

type Built =
  | { bytes: Uint8Array; reply: DhcpPacket }
  | { stage: "build" | "encode" | "redecode"; message: string };

function replyBytes(request: DhcpPacket, decision: ReplyDecision, named: NamedConfig): Built {
  let packet: DhcpPacket;
  try {
    packet = buildReply(request, decision, named.server, named.config);
  } catch (error) {
    return { stage: "build", message: describe(error) };
  }
  let bytes: Uint8Array;
  try {
    bytes = encodePacket(packet);
  } catch (error) {
    return { stage: "encode", message: describe(error) };
  }
  try {
    return { bytes, reply: decodePacket(bytes) };
  } catch (error) {
    return { stage: "redecode", message: describe(error) };
  }
}

/** The rules for a reply to `request`; each broken one as a sentence. */
export function replyProblems(
  request: DhcpPacket,
  bytes: Uint8Array,
  reply: DhcpPacket,
): string[] {
  const problems: string[] = [];
  if (reply.op !== 2) problems.push(`op is ${reply.op}, not BOOTREPLY`);
  if (reply.xid !== request.xid) problems.push("xid differs from the request");
  if (hex(reply.chaddr) !== hex(request.chaddr)) problems.push("chaddr differs from the request");
  if (reply.yiaddr !== "0.0.0.0") problems.push(`yiaddr is ${reply.yiaddr}`);
  for (const code of FORBIDDEN_IN_REPLY) {
    if (reply.options.has(code)) problems.push(`carries option ${code}`);
  }
  for (const code of REQUIRED_IN_REPLY) {
    if (!reply.options.has(code)) problems.push(`lacks option ${code}`);
  }
  for (const code of [Opt.ClientGuid, Opt.RelayAgentInfo]) {
    const asked = request.options.get(code);
    if (asked === undefined) continue;
    const echoed = reply.options.get(code);
    if (echoed === undefined) problems.push(`does not echo option ${code}`);
    else if (hex(echoed) !== hex(asked)) problems.push(`echoes option ${code} altered`);
  }
  if (bytes.length < 300) problems.push(`is ${bytes.length} bytes, under 300`);
  // A relay agent strips 82 before the client sees the reply (RFC 3046 §2.2), so the echoed
  // option 82 does not count against the client's limit.
  const limit = maxReplyLength(request);
  const agent = reply.options.get(Opt.RelayAgentInfo);
  const agentBytes = agent === undefined
    ? 0
    : agent.length + 2 * Math.max(1, Math.ceil(agent.length / 255));
  if (bytes.length - agentBytes > limit) {
    problems.push(`is ${bytes.length - agentBytes} bytes without 82, over the client's ${limit}`);
  }
  return problems;
}

/** The client's option 57, or 576 when absent, malformed or below the legal minimum. */
export function maxReplyLength(request: DhcpPacket): number {
  const asked = getMaxMessageSize(request.options);
  return asked !== undefined && asked >= DEFAULT_MAX_MESSAGE ? asked : DEFAULT_MAX_MESSAGE;
}

/**
 * The same client asking on the other port (DISCOVER on 67 ↔ REQUEST on 4011) must be routed to
 * the same boot file (field.md pain point 15); compared only when both get a reply.
 */
function twinProblems(
  request: DhcpPacket,
  port: Port,
  decision: ReplyDecision,
  reply: DhcpPacket,
  named: NamedConfig,
): string[] {
  const type = request.options.get(Opt.MessageType)?.[0];
  const twinType = type === MessageType.Discover ? MessageType.Request : MessageType.Discover;
  const twinPort: Port = port === "dhcp" ? "pxe" : "dhcp";
  const options = new Map(request.options);
  options.set(Opt.MessageType, Uint8Array.of(twinType));
  const twin: DhcpPacket = { ...request, options };
  let other: Decision;
  try {
    other = decide(twin, twinPort, named.config);
  } catch (error) {
    return [`the ${twinPort} twin throws in decide: ${describe(error)}`];
  }
  if (other.action === "drop") return [];
  const problems: string[] = [];
  if (other.bootFile !== decision.bootFile) {
    problems.push(
      `boot file ${JSON.stringify(decision.bootFile)} on ${port} but ` +
        `${JSON.stringify(other.bootFile)} on ${twinPort}`,
    );
  }
  try {
    const otherReply = buildReply(twin, other, named.server, named.config);
    if (reply.file !== "" && otherReply.file !== "" && reply.file !== otherReply.file) {
      problems.push(`file field ${reply.file} on ${port} but ${otherReply.file} on ${twinPort}`);
    }
  } catch (error) {
    problems.push(`the ${twinPort} twin throws in buildReply: ${describe(error)}`);
  }
  return problems;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
