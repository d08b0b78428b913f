/** The start-up summary: what the daemon listens on and the routing table it will apply. */
import type { Config } from "./config/model.ts";
import { archName } from "./pxe/arch.ts";
import type { NetInterface } from "./net/interfaces.ts";

export function describeStartup(
  config: Config,
  ports: readonly number[],
  transport: string,
  interfaces: readonly NetInterface[],
): string[] {
  const served = interfaces.filter((i) =>
    (config.interfaces.length === 0 || config.interfaces.includes(i.name)) &&
    (config.listenAddresses.length === 0 ||
      i.addresses.some((a) => config.listenAddresses.includes(a.address)))
  );
  const where = served.map((i) => `${i.name} (${i.addresses.map((a) => a.address).join(", ")})`);
  const lines = [
    `proxydhcpd ${"listening"} on udp/${ports.join(", udp/")} via ${transport}; ` +
    `serving ${where.length ? where.join("; ") : "every interface"}; config ${config.source} ` +
    `hash ${config.hash.slice(0, 12)}`,
  ];
  const next = config.nextServer ?? "this server";
  for (const [arch, file] of config.firmwareRoutes) {
    lines.push(`route: ${archName(arch)} (${arch}) firmware -> ${file} from ${next}`);
  }
  for (const [arch, url] of config.httpRoutes) {
    lines.push(`route: ${archName(arch)} (${arch}) HTTP boot -> ${url}`);
  }
  lines.push(
    config.ipxeScript !== undefined
      ? `route: any arch running iPXE -> ${config.ipxeScript}`
      : "route: iPXE clients are routed by arch like firmware ([ipxe] disabled)",
  );
  lines.push(`route: UEFI offers use the ${config.uefiOffer} recipe; every other arch is ignored`);
  return lines;
}
