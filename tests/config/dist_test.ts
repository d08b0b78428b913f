/** The example config shipped for admins must load and must document every key. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CONFIG_KEYS, loadConfigFile, parseConfig } from "../../src/config/load.ts";

const DIST = fileURLToPath(new URL("../../dist/proxy.ini", import.meta.url));

Deno.test("dist/proxy.ini loads as shipped", () => {
  const config = loadConfigFile(DIST);
  assert.deepEqual(
    config.firmwareRoutes,
    new Map([[0, "undionly.kpxe"], [7, "ipxe.efi"], [9, "ipxe.efi"]]),
  );
  assert.equal(config.ipxeScript, "boot.ipxe");
  assert.deepEqual(config.listenAddresses, []);
  assert.deepEqual(config.notices, []);
});

Deno.test("dist/proxy.ini shows every section and key, with defaults that load as written", () => {
  const text = Deno.readTextFileSync(DIST);
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    assert.match(text, new RegExp(`^\\[${section}\\]$`, "m"), `[${section}]`);
    for (const key of keys) {
      assert.match(text, new RegExp(`^#?${key} = `, "m"), `${section} ${key}`);
    }
  }
  // Uncommenting every example line still gives a valid config, except the ones that
  // deliberately show an alternative (a second chainload_url) or clash with [ipxe].
  const uncommented = text
    .split("\n")
    .map((line) => /^#[a-z0-9_-]+ = /.test(line) ? line.slice(1) : line)
    .filter((line) => !line.startsWith("chainload_url = http://") && !line.startsWith("filename"))
    .join("\n");
  const config = parseConfig(uncommented, "uncommented");
  assert.deepEqual(config.ports, { dhcp: 67, pxe: 4011, client: 68 });
  assert.deepEqual(config.rateLimit, { perSecond: 10, burst: 20 });
  assert.equal(config.uefiOffer, "binl");
  assert.equal(config.transport, "auto");
  assert.deepEqual(config.log, { format: "auto", level: "info" });
  assert.equal(config.httpRoutes.get(16), "http://192.168.1.10/ipxe/x64/ipxe.efi");
});
