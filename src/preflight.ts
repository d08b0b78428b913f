/** Checks and messages around start-up: interfaces to serve, and why a bind failed. */
import type { Config } from "./config/model.ts";
import type { NetInterface } from "./net/interfaces.ts";

/**
 * A named interface that is missing or has no IPv4 address is fatal at start-up: the admin asked
 * for it, and starting without it would be half-configured. At run time the daemon instead keeps
 * serving the other interfaces and warns.
 */
export function checkInterfaces(
  config: Config,
  interfaces: readonly NetInterface[],
  transport: string,
): string | undefined {
  if (transport === "portable" && config.interfaces.length > 0) {
    return `Cannot serve only ${config.interfaces.join(", ")}: the portable transport cannot ` +
      `tell interfaces apart; use transport=pktinfo (Linux) or drop interface=`;
  }
  for (const name of config.interfaces) {
    const iface = interfaces.find((i) => i.name === name);
    if (iface === undefined) return `Cannot serve interface ${name}: no such interface`;
    if (iface.addresses.length === 0) {
      return `Cannot serve interface ${name}: it has no IPv4 address for option 54`;
    }
  }
  for (const address of config.listenAddresses) {
    const owner = interfaces.find((i) => i.addresses.some((a) => a.address === address));
    if (owner === undefined) {
      return `Cannot serve as ${address} (listen_address): no interface has this address`;
    }
    if (config.interfaces.length > 0 && !config.interfaces.includes(owner.name)) {
      return `Cannot serve as ${address}: it belongs to ${owner.name}, which interface= does not list`;
    }
  }
  return undefined;
}

/** One line saying why binding failed and what fixes it. */
export function bindFailure(error: unknown, config: Config, proxyOnly: boolean): string {
  const dhcp = config.ports.dhcp;
  const which = proxyOnly ? `udp/${config.ports.pxe}` : `udp/${dhcp} or udp/${config.ports.pxe}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return proxyOnly
      ? `Cannot bind ${which}: address in use (is another proxyDHCP or dnsmasq with PXE running?)`
      : `Cannot bind ${which}: address in use (another DHCP server owns udp/${dhcp}?); ` +
        `run with -p to serve udp/${config.ports.pxe} only and let the primary DHCP server ` +
        `send option 60 "PXEClient"`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `Cannot bind ${which}: permission denied; run as root or grant CAP_NET_BIND_SERVICE ` +
      `(AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit)`;
  }
  if (error instanceof Deno.errors.NotCapable) {
    return `Cannot bind ${which}: not allowed by Deno's permission flags (${
      (error as Error).message
    }); see the README for the deno run line`;
  }
  return `Cannot bind ${which}: ${error instanceof Error ? error.message : String(error)}`;
}
