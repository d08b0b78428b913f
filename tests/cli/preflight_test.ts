/**
 * Start-up checks and bind errors as one-line messages that name the fix. The errors are the
 * transport's real error classes (tests/net shows pktinfo raising PermissionDenied for a
 * non-root bind of udp/67 and AddrInUse for a taken port).
 */
import { deepStrictEqual as equal, ok } from "node:assert/strict";
import { bindFailure, checkInterfaces } from "../../src/preflight.ts";
import { ipxeConfig } from "../pxe/_configs.ts";
import type { NetInterface } from "../../src/net/interfaces.ts";

const config = { ...ipxeConfig, listenAddresses: [] as string[] };
const eth = (name: string, ifindex: number, ...addresses: string[]): NetInterface => ({
  name,
  ifindex,
  addresses: addresses.map((address) => ({ address, prefixLength: 24 })),
});

Deno.test("bindFailure: port in use names -p and what the primary must send", () => {
  const message = bindFailure(new Deno.errors.AddrInUse("Address in use"), config, false);
  ok(message.includes("Cannot bind udp/67 or udp/4011: address in use"), message);
  ok(message.includes("run with -p") && message.includes('option 60 "PXEClient"'), message);
  const proxyOnly = bindFailure(new Deno.errors.AddrInUse("Address in use"), config, true);
  ok(proxyOnly.startsWith("Cannot bind udp/4011: address in use"), proxyOnly);
  ok(!proxyOnly.includes("run with -p"), proxyOnly);
});

Deno.test("bindFailure: permission denied hints at root or CAP_NET_BIND_SERVICE", () => {
  const message = bindFailure(new Deno.errors.PermissionDenied("Permission denied"), config, false);
  ok(message.includes("permission denied; run as root or grant CAP_NET_BIND_SERVICE"), message);
});

Deno.test("bindFailure: Deno's sandbox refusal points at the deno run line", () => {
  const message = bindFailure(new Deno.errors.NotCapable("Requires net access"), config, false);
  ok(message.includes("not allowed by Deno's permission flags"), message);
});

Deno.test("checkInterfaces: what the admin named must exist and have an IPv4 address", () => {
  const nics = [eth("lo", 1, "127.0.0.1"), eth("eth0", 2, "10.0.0.5"), eth("eth1", 3)];
  equal(checkInterfaces({ ...config, interfaces: ["eth0"] }, nics, "pktinfo"), undefined);
  equal(
    checkInterfaces({ ...config, interfaces: ["eth9"] }, nics, "pktinfo"),
    "Cannot serve interface eth9: no such interface",
  );
  equal(
    checkInterfaces({ ...config, interfaces: ["eth1"] }, nics, "pktinfo"),
    "Cannot serve interface eth1: it has no IPv4 address for option 54",
  );
  equal(
    checkInterfaces({ ...config, listenAddresses: ["10.9.9.9"] }, nics, "pktinfo"),
    "Cannot serve as 10.9.9.9 (listen_address): no interface has this address",
  );
  ok(
    checkInterfaces(
      { ...config, interfaces: ["eth1"], listenAddresses: ["10.0.0.5"] },
      nics,
      "pktinfo",
    )
      ?.includes("eth1"),
  );
  ok(
    checkInterfaces({ ...config, interfaces: ["eth0"] }, nics, "portable")
      ?.includes("portable transport cannot tell interfaces apart"),
  );
});
