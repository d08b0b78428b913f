/**
 * The router: one pure function of (request, port, config) for both ports, so a client gets the
 * same boot file on udp/67 and udp/4011 (field.md pain point 15).
 */
import type { Config } from "../config/model.ts";
import { BOOTREQUEST, type DhcpPacket } from "../dhcp/packet.ts";
import { checkOptionFormat, MessageType, Opt } from "../dhcp/options.ts";
import { getPxeOptions } from "../dhcp/pxe_options.ts";
import { isIpv4 } from "../dhcp/ipv4.ts";
import { ARCH_TYPES } from "./arch.ts";
import { classify, type Client, HTTP_VENDOR, PXE_VENDOR } from "./classify.ts";
import type { Decision, DropDecision, DropReason, Port, Recipe } from "./decision.ts";

export type { Port } from "./decision.ts";

/** Options whose garbled form means a broken or hostile sender (protocol.md §10). */
const CHECKED_OPTIONS = [
  Opt.MessageType,
  Opt.VendorClass,
  Opt.ClientArch,
  Opt.ClientNdi,
  Opt.ClientGuid,
  Opt.RelayAgentInfo,
] as const;

const BIS_LAYER_BIT = 0x8000;
const RPI_ARCH = 41;

export function decide(request: DhcpPacket, port: Port, config: Config): Decision {
  if (request.op !== BOOTREQUEST) return drop("NotRequest");
  if (request.hlen === 0 || request.hlen > 16) return drop("BadHardwareAddress");
  const options = request.options;
  if (!options.has(Opt.MessageType)) return drop("Bootp");
  for (const code of CHECKED_OPTIONS) {
    const value = options.get(code);
    if (value === undefined) continue;
    const problem = checkOptionFormat(code, value);
    if (problem !== undefined) return drop("MalformedOption", `option ${code}: ${problem}`);
  }

  const client = classify(request);
  const vendor = client.vendorClass;
  if (vendor === undefined || !(vendor.startsWith(PXE_VENDOR) || vendor.startsWith(HTTP_VENDOR))) {
    return drop("NotPxeClient", undefined, client);
  }

  const pxe = options.has(Opt.VendorSpecific) ? getPxeOptions(options) : undefined;
  if (options.has(Opt.VendorSpecific) && pxe === undefined && port === "pxe") {
    return drop("MalformedOption", "option 43: bad PXE sub-options", client);
  }
  const bootItem = pxe?.bootItem;
  if (bootItem !== undefined && bootItem.layer & BIS_LAYER_BIT) {
    return drop("BisRequested", undefined, client);
  }

  const action = actionFor(client.messageType, port, bootItem !== undefined);
  if (typeof action !== "string") return { ...action, client };

  if (client.arch === undefined) return drop("NoArch", undefined, client);
  const bootFile = routeFor(client, config);
  if (bootFile === undefined) return drop("NoRoute", undefined, client);

  const recipe: Recipe = action === "ack"
    ? (bootItem ? "boot-item" : "ack")
    : offerRecipe(client, config);
  return {
    action,
    client,
    recipe,
    bootFile,
    nextServer: nextServerFor(client, bootFile, config),
    raspberryPiMenu: client.arch === RPI_ARCH,
    bootItem,
  };
}

/** Which message types each port answers (protocol.md §2–§4, §10). */
function actionFor(
  type: number | undefined,
  port: Port,
  hasBootItem: boolean,
): "offer" | "ack" | Omit<DropDecision, "client"> {
  if (port === "dhcp") {
    if (type === MessageType.Discover) return "offer";
    // A broadcast Boot Server Discovery request (43.71) may come to 67 (protocol.md §3).
    if (type === MessageType.Request && hasBootItem) return "ack";
    if (type === MessageType.Request) return drop("RequestNotForUs");
    return drop("MessageType");
  }
  if (type === MessageType.Request) return "ack";
  if (type === MessageType.Inform && hasBootItem) return "ack";
  return drop("MessageType");
}

function routeFor(client: Client, config: Config): string | undefined {
  const arch = client.arch!;
  switch (client.stage) {
    case "http":
      return config.httpRoutes.get(arch);
    case "ipxe":
      // With [ipxe] disabled the original proxyDHCPd routed iPXE by arch like firmware.
      return config.ipxeScript ?? config.firmwareRoutes.get(arch);
    case "firmware":
      return config.firmwareRoutes.get(arch);
  }
}

function offerRecipe(client: Client, config: Config): Recipe {
  if (client.stage === "http") return "http";
  if (client.stage === "ipxe") return "ipxe";
  // BINL for UEFI by default: every UEFI ROM studied accepts an offer without 43 and asks on
  // 4011, while some ignore offers that bypass discovery (protocol.md §5.1, pixiecore, dnsmasq).
  const kind = ARCH_TYPES.get(client.arch!)?.kind;
  return kind === "uefi" && config.uefiOffer === "binl" ? "binl" : "direct";
}

/**
 * The next server (siaddr) for a boot file. URLs name their own host when it is an IPv4 literal;
 * bare file names come from `tftpd`; undefined means the proxy's own address.
 */
function nextServerFor(client: Client, bootFile: string, config: Config): string | undefined {
  const host = urlHost(bootFile);
  if (host !== undefined && isIpv4(host) && client.stage !== "ipxe") return host;
  return config.nextServer;
}

export function urlHost(file: string): string | undefined {
  const match = /^(?:tftp|https?):\/\/([^/:?#]+)/i.exec(file);
  return match?.[1];
}

function drop(reason: DropReason, detail?: string, client?: Client): DropDecision {
  return { action: "drop", reason, detail, client };
}
