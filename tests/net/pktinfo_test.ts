/** The pktinfo transport on real loopback sockets, against plain Deno.listenDatagram peers. */

import assert from "node:assert/strict";
import { loadLibc } from "../../src/net/libc.ts";
import { listInterfaces } from "../../src/net/interfaces.ts";
import { MAX_DATAGRAM, PktinfoEndpoint, PktinfoTransport } from "../../src/net/pktinfo.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const LOOPBACK = "127.0.0.1";

function client(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: LOOPBACK, port: 0 });
}

function portOf(conn: Deno.DatagramConn): number {
  return (conn.addr as Deno.NetAddr).port;
}

async function sendTo(conn: Deno.DatagramConn, port: number, text: string): Promise<void> {
  await conn.send(encoder.encode(text), { transport: "udp", hostname: LOOPBACK, port });
}

/** Resolves with `promise`, or rejects if it takes longer than `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("pktinfo: receives with source, lo's ifindex and destination 127.0.0.1", async () => {
  const lo = listInterfaces().find((nic) => nic.name === "lo");
  assert.ok(lo, "no lo interface listed");
  // Independent witness (readable here because tests run with --allow-all).
  assert.equal(lo.ifindex, Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex")));
  const endpoint = new PktinfoTransport().open(0);
  const peer = client();
  try {
    assert.ok(endpoint.port > 0);
    await sendTo(peer, endpoint.port, "hello");
    const [inbound, ...rest] = await within(5_000, endpoint.receive());
    assert.deepEqual(rest, []);
    assert.equal(decoder.decode(inbound.data), "hello");
    assert.equal(inbound.sourceAddress, LOOPBACK);
    assert.equal(inbound.sourcePort, portOf(peer));
    assert.equal(inbound.ifindex, lo.ifindex);
    assert.equal(inbound.destinationAddress, LOOPBACK);
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: a unicast reply reaches the client, with and without IP_PKTINFO", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const peer = client();
  try {
    const lo = loadLibc().ifNameToIndex("lo");
    const to = { address: LOOPBACK, port: portOf(peer) };
    endpoint.send(encoder.encode("plain"), to);
    endpoint.send(encoder.encode("pinned"), { ...to, ifindex: lo, sourceAddress: LOOPBACK });
    for (const expected of ["plain", "pinned"]) {
      const [data, from] = await within(5_000, peer.receive());
      assert.equal(decoder.decode(data), expected);
      assert.deepEqual({ ...from }, { transport: "udp", hostname: LOOPBACK, port: endpoint.port });
    }
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: a burst is drained in one receive(), in order, up to the batch limit", async () => {
  const endpoint = new PktinfoTransport({ batchLimit: 8 }).open(0);
  const peer = client();
  try {
    const texts = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    for (const text of texts) await sendTo(peer, endpoint.port, text);
    const first = await within(5_000, endpoint.receive());
    const second = await within(5_000, endpoint.receive());
    assert.deepEqual(first.map((d) => decoder.decode(d.data)), texts.slice(0, 8));
    assert.deepEqual(second.map((d) => decoder.decode(d.data)), texts.slice(8));
    // Each datagram owns its bytes: the receive buffer is reused, the data is not.
    assert.equal(decoder.decode(first[0].data), "burst-0");
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: a large datagram arrives whole; one over the IPv4 limit is refused", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const peer = client();
  try {
    const big = new Uint8Array(60_000).map((_, i) => i % 251);
    endpoint.send(big, { address: LOOPBACK, port: portOf(peer) });
    const [data] = await within(5_000, peer.receive());
    assert.deepEqual(data, big);
    await peer.send(big, { transport: "udp", hostname: LOOPBACK, port: endpoint.port });
    const [inbound] = await within(5_000, endpoint.receive());
    assert.deepEqual(inbound.data, big);
    assert.throws(
      () => endpoint.send(new Uint8Array(MAX_DATAGRAM + 1), { address: LOOPBACK, port: 9 }),
      RangeError,
    );
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: waiting for a datagram does not block the event loop", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const peer = client();
  try {
    const pending = endpoint.receive();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    clearInterval(ticker);
    assert.ok(ticks >= 5, `timers ran only ${ticks} times while receive() waited`);
    await sendTo(peer, endpoint.port, "late");
    const [inbound] = await within(5_000, pending);
    assert.equal(decoder.decode(inbound.data), "late");
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: close() rejects a pending receive at once, later calls fail", async () => {
  // A long poll timeout proves the wake-up comes from close(), not from the timeout.
  const endpoint = new PktinfoTransport({ pollTimeoutMs: 30_000 }).open(0);
  const pending = endpoint.receive();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  endpoint.close();
  await assert.rejects(within(2_000, pending), Deno.errors.Interrupted);
  assert.ok(performance.now() - started < 1_000);
  await assert.rejects(endpoint.receive(), Deno.errors.BadResource);
  assert.throws(
    () => endpoint.send(new Uint8Array(1), { address: LOOPBACK, port: 9 }),
    Deno.errors.BadResource,
  );
  endpoint.close(); // idempotent
  // The port is free again right away.
  new PktinfoTransport().open(endpoint.port).close();
});

Deno.test("pktinfo: a second concurrent receive() is refused", async () => {
  const endpoint = new PktinfoTransport().open(0);
  try {
    const first = endpoint.receive();
    await assert.rejects(endpoint.receive(), Deno.errors.Busy);
    endpoint.close();
    await assert.rejects(first, Deno.errors.Interrupted);
  } finally {
    endpoint.close();
  }
});

Deno.test("pktinfo: a port held by Deno.listenDatagram gives Deno.errors.AddrInUse", () => {
  for (const reuseAddress of [false, true]) {
    // With reuseAddress on the holder, our bind would succeed if we set SO_REUSEADDR: we must not.
    const holder = Deno.listenDatagram({
      transport: "udp",
      hostname: "0.0.0.0",
      port: 0,
      reuseAddress,
    });
    try {
      assert.throws(
        () => new PktinfoTransport().open(portOf(holder)),
        (error: unknown) =>
          error instanceof Deno.errors.AddrInUse &&
          error.message === `Cannot bind 0.0.0.0:${portOf(holder)}: ` +
              "EADDRINUSE (errno 98, Address already in use)" &&
          (error as { code?: string }).code === "EADDRINUSE",
      );
    } finally {
      holder.close();
    }
  }
});

Deno.test("pktinfo: a port held by pktinfo is refused to Deno and to a second pktinfo", () => {
  const endpoint = new PktinfoTransport().open(0);
  try {
    assert.throws(() => new PktinfoTransport().open(endpoint.port), Deno.errors.AddrInUse);
    assert.throws(
      () =>
        Deno.listenDatagram({
          transport: "udp",
          hostname: "0.0.0.0",
          port: endpoint.port,
          reuseAddress: true,
        }),
      Deno.errors.AddrInUse,
    );
  } finally {
    endpoint.close();
  }
});

Deno.test("pktinfo: send errors carry the errno name; invalid targets never reach the kernel", () => {
  const endpoint = new PktinfoTransport().open(0);
  try {
    assert.throws(
      () => endpoint.send(new Uint8Array(1), { address: LOOPBACK, port: 9, ifindex: 0x7fffffff }),
      (error: unknown) =>
        error instanceof Error && error.constructor === Error &&
        /^Cannot send to 127\.0\.0\.1:9 via ifindex 2147483647: ENODEV \(errno 19/.test(
          error.message,
        ),
    );
    const one = new Uint8Array(1);
    assert.throws(() => endpoint.send(one, { address: "::1", port: 9 }), TypeError);
    const loopback = { address: LOOPBACK, port: 9 };
    assert.throws(() => endpoint.send(one, { ...loopback, sourceAddress: "lo" }), TypeError);
    assert.throws(() => endpoint.send(one, { ...loopback, port: 0 }), RangeError);
    assert.throws(() => endpoint.send(one, { ...loopback, ifindex: -1 }), RangeError);
    assert.throws(() => endpoint.send(one, { ...loopback, ifindex: 2 ** 31 }), RangeError);
  } finally {
    endpoint.close();
  }
});

Deno.test("pktinfo: receive buffer size is asked for and the granted size exposed", () => {
  const small = new PktinfoTransport({ receiveBufferBytes: 64 * 1024 }).open(0);
  const large = new PktinfoTransport({ receiveBufferBytes: 2 * 1024 * 1024 }).open(0);
  const untouched = new PktinfoTransport({ receiveBufferBytes: 0 }).open(0);
  try {
    // Linux reports twice the request (bookkeeping overhead).
    assert.equal(small.receiveBufferBytes, 128 * 1024);
    assert.ok(untouched.receiveBufferBytes > 0);
    if (Deno.uid() === 0) {
      // SO_RCVBUFFORCE lets root go past net.core.rmem_max.
      assert.equal(large.receiveBufferBytes, 4 * 1024 * 1024);
    } else {
      assert.ok(large.receiveBufferBytes >= small.receiveBufferBytes);
    }
  } finally {
    small.close();
    large.close();
    untouched.close();
  }
});

Deno.test("pktinfo: the endpoint class is what the transport opens", () => {
  const endpoint = new PktinfoTransport().open(0);
  endpoint.close();
  assert.ok(endpoint instanceof PktinfoEndpoint);
  assert.equal(new PktinfoTransport().name, "pktinfo");
});

/** Root can become "nobody" with setpriv, and ports below 1024 are privileged here. */
function canTestPrivilegedPorts(): boolean {
  if (Deno.uid() !== 0) return false;
  const sysctl = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
  try {
    if (Number(Deno.readTextFileSync(sysctl)) <= 67) return false;
  } catch {
    // Older kernels have no such sysctl: 1024 is fixed.
  }
  return new Deno.Command("sh", { args: ["-c", "command -v setpriv"], stdout: "null" })
    .outputSync().success;
}

Deno.test({
  name: "pktinfo: a port below 1024 without privilege gives Deno.errors.PermissionDenied",
  ignore: !canTestPrivilegedPorts(),
  async fn() {
    // The sources are copied to a world-readable place so that user "nobody" can load them.
    const root = await Deno.makeTempDir({ prefix: "pdt-priv-" });
    try {
      const source = new URL("../../src/", import.meta.url);
      for (const file of ["net/libc.ts", "net/pktinfo.ts", "net/transport.ts", "dhcp/ipv4.ts"]) {
        await Deno.mkdir(`${root}/src/${file.split("/")[0]}`, { recursive: true });
        await Deno.copyFile(new URL(file, source), `${root}/src/${file}`);
      }
      await Deno.writeTextFile(
        `${root}/probe.ts`,
        `import { PktinfoTransport } from "./src/net/pktinfo.ts";
        try { new PktinfoTransport().open(67); console.log("bound"); }
        catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
      );
      await Deno.mkdir(`${root}/deno-dir`);
      for (const path of [root, `${root}/src`, `${root}/src/net`, `${root}/src/dhcp`]) {
        await Deno.chmod(path, 0o755);
      }
      await Deno.chmod(`${root}/deno-dir`, 0o777);
      const output = await new Deno.Command("setpriv", {
        args: ["--reuid=65534", "--regid=65534", "--clear-groups", Deno.execPath(), "run"]
          .concat(["--no-config", `--allow-ffi`, `${root}/probe.ts`]),
        env: { DENO_DIR: `${root}/deno-dir`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout).trim();
      assert.equal(
        stdout,
        "PermissionDenied: Cannot bind 0.0.0.0:67: EACCES (errno 13, Permission denied)",
        new TextDecoder().decode(output.stderr),
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
