/** Transport selection: the pure decision, and the real thing under the daemon's scoped flags. */

import assert from "node:assert/strict";
import { LIBC_PATH } from "../../src/net/libc.ts";
import { PktinfoTransport } from "../../src/net/pktinfo.ts";
import { PortableTransport } from "../../src/net/portable.ts";
import { createTransport, resolveTransportKind, selectTransport } from "../../src/net/select.ts";

const linuxWithFfi = { os: "linux", ffiGranted: true };
const linuxNoFfi = { os: "linux", ffiGranted: false };
const darwin = { os: "darwin", ffiGranted: true };

Deno.test("select: auto is pktinfo only on Linux with FFI, else portable with the reason", () => {
  assert.equal(resolveTransportKind("auto", linuxWithFfi).kind, "pktinfo");
  assert.deepEqual(resolveTransportKind("auto", linuxNoFfi), {
    kind: "portable",
    reason: `FFI is not permitted (run with --allow-ffi=${LIBC_PATH})`,
  });
  assert.deepEqual(resolveTransportKind("auto", darwin), {
    kind: "portable",
    reason: "IP_PKTINFO needs Linux, this is darwin",
  });
  assert.equal(resolveTransportKind("portable", linuxWithFfi).kind, "portable");
});

Deno.test("select: pktinfo asked for where it cannot work is an error, not a fallback", () => {
  assert.throws(
    () => resolveTransportKind("pktinfo", linuxNoFfi),
    /^Error: Cannot use the pktinfo transport: FFI is not permitted/,
  );
  assert.throws(() => resolveTransportKind("pktinfo", darwin), /needs Linux/);
  assert.throws(() => selectTransport("pktinfo", {}, linuxNoFfi), /FFI is not permitted/);
});

Deno.test("select: createTransport builds the chosen class", () => {
  assert.ok(createTransport("auto") instanceof PktinfoTransport); // tests run with --allow-all
  assert.ok(createTransport("pktinfo") instanceof PktinfoTransport);
  assert.ok(createTransport("portable") instanceof PortableTransport);
  const fallback = selectTransport("auto", {}, linuxNoFfi);
  assert.ok(fallback.transport instanceof PortableTransport);
  assert.match(fallback.reason, /FFI is not permitted/);
});

async function runProbe(permissions: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--no-prompt",
      "--unstable-net",
      ...permissions,
      new URL("./_scoped_probe.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("select: with only --allow-ffi=LIBC_PATH the pktinfo transport fully works", async () => {
  const result = await runProbe([
    `--allow-ffi=${LIBC_PATH}`,
    "--allow-sys=networkInterfaces",
    "--allow-net=127.0.0.1", // only for the probe's Deno.listenDatagram peer
  ]);
  const lo = Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex"));
  assert.deepEqual(result, {
    transport: "pktinfo",
    reason: `Linux with FFI permitted, libc ${LIBC_PATH}`,
    loIfindex: lo,
    received: "ping",
    ifindex: lo,
    destinationAddress: "127.0.0.1",
    reply: "pong",
  });
});

Deno.test("select: without FFI, auto falls back to the portable transport", async () => {
  const result = await runProbe([
    "--allow-sys=networkInterfaces",
    "--allow-net=127.0.0.1,0.0.0.0",
  ]);
  assert.deepEqual(result, {
    transport: "portable",
    reason: `FFI is not permitted (run with --allow-ffi=${LIBC_PATH})`,
    loIfindex: 0, // unknown without FFI: Deno refuses /sys without --allow-all
    received: "ping",
    reply: "pong",
  });
});
