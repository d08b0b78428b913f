/** One readable line per captured DHCP packet, for failure reports and logs. */
import { messageTypeName } from "../../src/dhcp/options.ts";
import { Opt } from "../../src/dhcp/options.ts";
import { archName } from "../../src/pxe/arch.ts";
import {
  archCodes,
  bootFile,
  type DhcpFrame,
  messageType,
  serverId,
  textOption,
} from "./capture.ts";

export function summarizeFrame(frame: DhcpFrame, t0: number): string {
  const at = `+${(frame.time - t0).toFixed(3)}s`.padStart(9);
  const route = `${frame.srcIp}:${frame.srcPort} → ${frame.dstIp}:${frame.dstPort}`;
  if (!frame.packet) return `${at} ${route} undecodable: ${frame.decodeError}`;
  const p = frame.packet;
  const parts = [
    at,
    route.padEnd(44),
    messageTypeName(messageType(frame)).padEnd(8),
    `xid=0x${p.xid.toString(16).padStart(8, "0")}`,
  ];
  const arches = archCodes(frame);
  if (arches.length) parts.push(`arch=${arches.map((c) => `${archName(c)}(${c})`).join(",")}`);
  const vendor = textOption(frame, Opt.VendorClass);
  if (vendor !== undefined) parts.push(`60=${vendor}`);
  const user = textOption(frame, Opt.UserClass);
  if (user !== undefined) parts.push(`77=${JSON.stringify(user)}`);
  if (p.options.has(Opt.Ipxe)) parts.push("175");
  const sid = serverId(frame);
  if (sid) parts.push(`54=${sid}`);
  if (p.yiaddr !== "0.0.0.0") parts.push(`yiaddr=${p.yiaddr}`);
  if (p.ciaddr !== "0.0.0.0") parts.push(`ciaddr=${p.ciaddr}`);
  if (p.giaddr !== "0.0.0.0") parts.push(`giaddr=${p.giaddr}`);
  if (p.op === 2) parts.push(`siaddr=${p.siaddr}`);
  const file = bootFile(frame);
  if (file) parts.push(`file=${file}`);
  return parts.join(" ");
}

export function summarizeCapture(frames: readonly DhcpFrame[], t0?: number): string[] {
  const start = t0 ?? frames[0]?.time ?? 0;
  return frames.map((frame) => summarizeFrame(frame, start));
}
