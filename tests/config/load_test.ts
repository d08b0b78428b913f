import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfigFile, parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/model.ts";

const good = (name: string) => fileURLToPath(new URL(`./good/${name}`, import.meta.url));

function fileHash(path: string): string {
  return createHash("sha256").update(Deno.readFileSync(path)).digest("hex");
}

/** The Config of a file that sets nothing beyond `overrides`: every default spelled out. */
function expected(path: string, overrides: Partial<Config>): Config {
  return {
    source: path,
    hash: fileHash(path),
    interfaces: [],
    listenAddresses: [],
    ports: { dhcp: 67, pxe: 4011, client: 68 },
    firmwareRoutes: new Map(),
    httpRoutes: new Map(),
    uefiOffer: "binl",
    rateLimit: { perSecond: 10, burst: 20 },
    log: { format: "auto", level: "info" },
    transport: "auto",
    notices: [],
    ...overrides,
  };
}

function configError(text: string): ConfigError {
  try {
    parseConfig(text, "t.ini");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error;
  }
  assert.fail(`loaded without error: ${JSON.stringify(text)}`);
}

const IPXE_ROUTES = new Map([[0, "undionly.kpxe"], [7, "ipxe.efi"], [9, "ipxe.efi"]]);

for (const name of ["readme_example.ini", "original_proxy.ini"]) {
  Deno.test(`load: the original proxyDHCPd's ${name} loads as written, quotes included`, () => {
    const path = good(name);
    const [filenameLine, vendorLine] = name === "readme_example.ini" ? [5, 6] : [6, 7];
    assert.deepEqual(
      loadConfigFile(path),
      expected(path, {
        listenAddresses: ["192.168.188.20"],
        nextServer: "192.168.188.20",
        firmwareRoutes: IPXE_ROUTES,
        ipxeScript: "boot.ipxe",
        notices: [
          `${path}:${filenameLine}: [proxy] filename: not used while [ipxe] is enabled ` +
          "(legacy_bootstrap and efi_bootstrap are served)",
          `${path}:${vendorLine}: [proxy] vendor_specific_information: not PXE-encoded hex; ` +
          "ignored (the original sent it raw in option 43, which firmware may reject)",
        ],
      }),
    );
  });
}

Deno.test("load: [ipxe] enabled=off falls back to the original's filename routing", () => {
  const path = good("fallback_disabled.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, {
      interfaces: ["eth0", "eth1", "br-lan.10"],
      nextServer: "10.0.0.5",
      firmwareRoutes: new Map([
        [0, "pxelinux.0"],
        [6, "efi32/syslinux.efi"],
        [7, "efi64/syslinux.efi"],
        [9, "efi64/syslinux.efi"],
      ]),
      notices: [
        `${path}:12: [ipxe] legacy_bootstrap: not used while [ipxe] is disabled`,
        `${path}:13: [ipxe] chainload_url: not used while [ipxe] is disabled`,
      ],
    }),
  );
});

Deno.test("load: without [ipxe] the fallback routing applies and there is no iPXE script", () => {
  const path = good("no_ipxe_section.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, { firmwareRoutes: new Map([[0, "pxelinux.0"]]) }),
  );
});

Deno.test("load: [bootstrap] adds firmware routes and IPv4 http(s) routes", () => {
  const path = good("bootstrap.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, {
      nextServer: "10.0.0.5",
      firmwareRoutes: new Map([
        ...IPXE_ROUTES,
        [11, "arm64/ipxe.efi"],
        [6, "i386/ipxe.efi"],
        [41, "tftp://10.0.0.5/rpi/"],
        [1000, "vendor/loader.bin"],
      ]),
      httpRoutes: new Map([
        [16, "http://10.0.0.5/ipxe/x64/ipxe.efi"],
        [19, "https://10.0.0.5:8443/ipxe/arm64/ipxe.efi"],
      ]),
      ipxeScript: "http://10.0.0.5/boot.ipxe",
    }),
  );
});

Deno.test("load: [server] sets ports, transport, offer style, rate limit and log", () => {
  const path = good("server.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, {
      ports: { dhcp: 1067, pxe: 14011, client: 1068 },
      firmwareRoutes: new Map([[0, "undionly.kpxe"]]),
      uefiOffer: "direct",
      rateLimit: { perSecond: 0, burst: 1 },
      log: { format: "json", level: "debug" },
      transport: "portable",
    }),
  );
});

Deno.test("load: # inside a URL is kept (no inline comments); sections in any order", () => {
  const path = good("url_fragment.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, {
      firmwareRoutes: new Map([[7, "snponly.efi"], [9, "snponly.efi"]]),
      ipxeScript: "http://10.0.0.5/boot.ipxe#x;y",
    }),
  );
});

Deno.test("load: hex vendor_specific_information becomes extra PXE sub-options", () => {
  const path = good("vendor_hex.ini");
  assert.deepEqual(
    loadConfigFile(path),
    expected(path, {
      firmwareRoutes: new Map([[0, "undionly.kpxe"]]),
      extraPxeSubOptions: Uint8Array.of(0x0f, 3, 0x61, 0x62, 0x63, 0x11, 0),
    }),
  );
});

Deno.test("load: CRLF and BOM files load like plain ones; hash covers the bytes on disk", async () => {
  const crlf = good("crlf.ini");
  assert.deepEqual(
    loadConfigFile(crlf),
    expected(crlf, {
      listenAddresses: ["192.168.1.2"],
      firmwareRoutes: new Map([[0, "undionly.kpxe"]]),
    }),
  );
  const bom = good("bom.ini");
  const config = loadConfigFile(bom);
  assert.deepEqual(config, expected(bom, { firmwareRoutes: new Map([[0, "undionly.kpxe"]]) }));
  // An independent hash implementation, over the raw bytes including the BOM.
  const { stdout } = await new Deno.Command("sha256sum", { args: [bom] }).output();
  assert.equal(config.hash, new TextDecoder().decode(stdout).split(" ")[0]);
});

Deno.test("parseConfig: pure, hashes the text's UTF-8 and matches loadConfigFile", () => {
  // Value from `printf '[proxy]\nfilename=a\n' | sha256sum`.
  assert.equal(
    parseConfig("[proxy]\nfilename=a\n", "mem").hash,
    "0253cdb5c1e10895fd31d51b44fb9c16cc34a7303221c44e4968d6779ec63908",
  );
  const path = good("bootstrap.ini");
  assert.deepEqual(parseConfig(Deno.readTextFileSync(path), path), loadConfigFile(path));
});

Deno.test("load: the Config and its lists are frozen", () => {
  const config = loadConfigFile(good("fallback_disabled.ini"));
  for (const part of [config, config.interfaces, config.ports, config.rateLimit, config.notices]) {
    assert.ok(Object.isFrozen(part));
  }
});

Deno.test("load: [ipxe] without enabled means enabled", () => {
  const config = parseConfig("[proxy]\n[ipxe]\nefi_bootstrap=a.efi\nchainload_url=s.ipxe\n", "t");
  assert.equal(config.ipxeScript, "s.ipxe");
  assert.deepEqual(config.firmwareRoutes, new Map([[7, "a.efi"], [9, "a.efi"]]));
});

Deno.test("load: booleans are configparser's words, any case", () => {
  for (const [word, enabled] of [["YES", true], ["On", true], ["1", true], ["No", false]]) {
    const text = `[proxy]\nfilename=f\n[ipxe]\nenabled=${word}\nlegacy_bootstrap=u\n` +
      "chainload_url=s\n";
    assert.equal(parseConfig(text, "t").ipxeScript, enabled ? "s" : undefined, String(word));
  }
});

Deno.test("load: list separators are commas and/or blanks; 0.0.0.0 alone means all", () => {
  const config = parseConfig(
    "[proxy]\nfilename=f\nlisten_address=10.0.0.1 ,10.0.0.2\t10.0.0.3\n" +
      "interface=eth0.10,wlan0@x br_lan:1,a-b\n",
    "t",
  );
  assert.deepEqual(config.listenAddresses, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
  assert.deepEqual(config.interfaces, ["eth0.10", "wlan0@x", "br_lan:1", "a-b"]);
  assert.deepEqual(
    parseConfig("[proxy]\nfilename=f\nlisten_address=0.0.0.0\n", "t").listenAddresses,
    [],
  );
});

Deno.test("load: boundaries of boot file length, ports and rate limit", () => {
  const file127 = "a".repeat(127);
  assert.equal(parseConfig(`[proxy]\nfilename=${file127}\n`, "t").firmwareRoutes.get(0), file127);
  assert.match(configError(`[proxy]\nfilename=${file127}a\n`).message, /128 bytes long/);
  const ports = parseConfig(
    "[proxy]\nfilename=f\n[server]\ndhcp_port=1\npxe_port=65535\nclient_port=1\n" +
      "rate_limit=10000\nrate_burst=100000\n",
    "t",
  );
  assert.deepEqual(ports.ports, { dhcp: 1, pxe: 65535, client: 1 });
  assert.deepEqual(ports.rateLimit, { perSecond: 10000, burst: 100000 });
  assert.match(configError("[proxy]\nfilename=f\n[server]\nrate_limit=10001\n").message, /range/);
  assert.match(configError("[proxy]\nfilename=f\n[server]\npxe_port=067\n").message, /decimal/);
});

Deno.test("load: chainload_url forms that are accepted", () => {
  for (
    const url of [
      "boot.ipxe",
      "scripts/boot.ipxe",
      "tftp://10.0.0.5/boot.ipxe",
      "http://boot.example.org:8080/boot.ipxe?mac=${net0/mac}",
      "https://[fd00::5]/boot.ipxe",
      "HTTP://10.0.0.5/x",
    ]
  ) {
    const text = `[proxy]\n[ipxe]\nefi_bootstrap=i.efi\nchainload_url=${url}\n`;
    assert.equal(parseConfig(text, "t").ipxeScript, url);
  }
});

Deno.test("load: chainload_url forms that are refused", () => {
  for (
    const url of [
      "http:/10.0.0.5/x", // WHATWG URL would repair this; firmware would not
      "http://user@10.0.0.5/x",
      "http://0x0a.0.0.5/x",
      "file:///boot.ipxe",
      "tftp://",
      `http://10.0.0.5/${"a".repeat(120)}`,
    ]
  ) {
    const error = configError(`[proxy]\n[ipxe]\nefi_bootstrap=i.efi\nchainload_url=${url}\n`);
    assert.equal(error.line, 4, error.message);
    assert.equal(error.key, "chainload_url");
  }
});

Deno.test("load: [bootstrap] keys are arch names (any case) or decimal codes", () => {
  const config = parseConfig(
    "[proxy]\n[bootstrap]\nX86-BIOS=a\n65535=b\nloongarch64-uefi-http=http://10.0.0.1/l.efi\n",
    "t",
  );
  assert.deepEqual(config.firmwareRoutes, new Map([[0, "a"], [65535, "b"]]));
  assert.deepEqual(config.httpRoutes, new Map([[40, "http://10.0.0.1/l.efi"]]));
  assert.match(
    configError("[proxy]\n[bootstrap]\n007=a\n").message,
    /:3: \[bootstrap\] 007: unknown/,
  );
  assert.match(configError("[proxy]\n[bootstrap]\n16=http://0.0.0.0/x\n").message, /usable/);
});

Deno.test("load: vendor_specific_information hex rules", () => {
  const vsi = (value: string) => `[proxy]\nfilename=f\nvendor_specific_information=${value}\n`;
  assert.deepEqual(parseConfig(vsi("010100"), "t").extraPxeSubOptions, Uint8Array.of(1, 1, 0));
  assert.equal(parseConfig(vsi("not hex"), "t").extraPxeSubOptions, undefined);
  assert.equal(parseConfig(vsi("not hex"), "t").notices.length, 1);
  for (
    const [bad, problem] of [
      ["00", "code 0 (Pad)"],
      ["47 04 00 01 00 00", "sub-option 71 (boot item)"],
      ["0a0100", "sub-option 10 (menu prompt)"],
      ["01", "no length byte"],
      ["01 00 01 00", "appears twice"],
      ["01fc" + "00".repeat(252), "too long"],
    ]
  ) {
    const error = configError(vsi(bad));
    assert.ok(error.message.includes(problem), error.message);
    assert.equal(error.key, "vendor_specific_information");
  }
});

Deno.test("load: ConfigError carries the place as fields", () => {
  const error = configError("[proxy]\nfilename=f\n[server]\n\ntransport=fast\n");
  assert.equal(error.file, "t.ini");
  assert.equal(error.line, 5);
  assert.equal(error.section, "server");
  assert.equal(error.key, "transport");
  assert.equal(error.problem, '"fast" is not a known value');
  assert.equal(error.expected, "one of auto, pktinfo, portable");
  assert.equal(
    error.message,
    't.ini:5: [server] transport: "fast" is not a known value; expected one of auto, pktinfo, portable',
  );
});
