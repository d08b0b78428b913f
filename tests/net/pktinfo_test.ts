/** The pktinfo transport on real loopback sockets, against plain Deno.listenDatagram peers. */

import assert from "node:assert/strict";
import { loadLibc } from "../../src/net/libc.ts";
import { listInterfaces } from "../../src/net/interfaces.ts";
import { MAX_DATAGRAM, PktinfoEndpoint, PktinfoTransport } from "../../src/net/pktinfo.ts";
import type { Inbound } from "../../src/net/transport.ts";

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

Deno.test("pktinfo: one recvmmsg call per batch, each datagram with its own source", async () => {
  const lo = loadLibc().ifNameToIndex("lo");
  const endpoint = new PktinfoTransport({ batchLimit: 8 }).open(0);
  const peers = [client(), client(), client()];
  try {
    // 20 datagrams from three sockets, interleaved, all queued before the first receive().
    const sent = Array.from({ length: 20 }, (_, i) => ({ peer: peers[i % 3], text: `m-${i}` }));
    for (const { peer, text } of sent) await sendTo(peer, endpoint.port, text);
    const callsBefore = endpoint.receiveCalls;
    const batches: Inbound[][] = [];
    for (let got = 0; got < sent.length;) {
      const batch = await within(5_000, endpoint.receive());
      batches.push(batch);
      got += batch.length;
    }
    // ceil(20 / 8) = 3 receive calls; recvmsg per datagram would take 20 (plus the EAGAINs).
    assert.deepEqual(batches.map((b) => b.length), [8, 8, 4]);
    assert.equal(endpoint.receiveCalls - callsBefore, 3);
    const received = batches.flat();
    assert.deepEqual(
      received.map((d) => [decoder.decode(d.data), d.sourcePort, d.ifindex, d.destinationAddress]),
      sent.map(({ peer, text }) => [text, portOf(peer), lo, LOOPBACK]),
    );
    assert.ok(received.every((d) => d.sourceAddress === LOOPBACK));
    // Slots are reused by the next call; the datagrams handed out must not change with them.
    await sendTo(peers[0], endpoint.port, "overwrite");
    await within(5_000, endpoint.receive());
    assert.equal(decoder.decode(received[0].data), "m-0");
  } finally {
    endpoint.close();
    for (const peer of peers) peer.close();
  }
});

/** Collects `count` datagrams on a pktinfo endpoint as text. */
async function collectTexts(endpoint: PktinfoEndpoint, count: number): Promise<string[]> {
  const texts: string[] = [];
  while (texts.length < count) {
    const batch = await within(5_000, endpoint.receive());
    texts.push(...batch.map((d) => decoder.decode(d.data)));
  }
  return texts;
}

Deno.test("pktinfo: after the first flush(), sends queue and leave in order with one call", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const sink = new PktinfoTransport().open(0);
  try {
    const to = { address: LOOPBACK, port: sink.port };
    assert.deepEqual(endpoint.flush(), []); // nothing queued yet: from now on send() queues
    const calls = endpoint.sendCalls;
    const texts = Array.from({ length: 10 }, (_, i) => `queued-${i}`);
    for (const text of texts) endpoint.send(encoder.encode(text), to);
    assert.equal(endpoint.sendCalls, calls, "send() reached the kernel before flush()");
    // An invalid target is still refused at once, and takes no place in the queue.
    assert.throws(() => endpoint.send(encoder.encode("x"), { address: "::1", port: 9 }), TypeError);
    const pending = sink.receive();
    let early = false;
    pending.then(() => early = true, () => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(early, false, "a queued datagram arrived before flush()");
    assert.deepEqual(endpoint.flush(), []);
    assert.equal(endpoint.sendCalls, calls + 1);
    const first = await within(5_000, pending);
    const rest = await collectTexts(sink, texts.length - first.length);
    assert.deepEqual([...first.map((d) => decoder.decode(d.data)), ...rest], texts);
    assert.deepEqual(endpoint.flush(), []); // the queue is empty again
    assert.equal(endpoint.sendCalls, calls + 1);
  } finally {
    endpoint.close();
    sink.close();
  }
});

Deno.test("pktinfo: a refused queued datagram is reported alone; the others still leave", async () => {
  const lo = loadLibc().ifNameToIndex("lo");
  // A batch limit of 4: the fourth send flushes the queue by itself.
  const endpoint = new PktinfoTransport({ batchLimit: 4 }).open(0);
  const sink = new PktinfoTransport().open(0);
  try {
    endpoint.flush();
    const good = { address: LOOPBACK, port: sink.port };
    // No such interface: the kernel refuses this one message with ENODEV.
    const bad = { address: LOOPBACK, port: sink.port, ifindex: 0x7fffffff };
    const pinned = { ...good, ifindex: lo, sourceAddress: LOOPBACK };
    const plan = [["a", good], ["b", bad], ["c", pinned], ["d", good], ["e", bad], ["f", good]];
    const calls = endpoint.sendCalls;
    for (const [text, to] of plan as [string, typeof good][]) {
      endpoint.send(encoder.encode(text), to);
    }
    // a..d went when the queue filled, in three calls: sendmmsg stops at b after sending a,
    // fails on b alone when called again from there, then sends c and d.
    assert.equal(endpoint.sendCalls, calls + 3);
    const failures = endpoint.flush();
    assert.equal(failures.length, 2);
    for (const failure of failures) {
      assert.equal(failure.to, bad);
      assert.match(
        failure.error.message,
        /^Cannot send to 127\.0\.0\.1:\d+ via ifindex 2147483647: ENODEV \(errno 19/,
      );
      assert.equal((failure.error as { code?: string }).code, "ENODEV");
    }
    assert.deepEqual(await collectTexts(sink, 4), ["a", "c", "d", "f"]);
    assert.deepEqual(endpoint.flush(), []); // each failure is reported once
  } finally {
    endpoint.close();
    sink.close();
  }
});

Deno.test("pktinfo: the reply to a lone datagram is not held back for flush()", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const peer = client();
  try {
    endpoint.flush();
    const back = { address: LOOPBACK, port: portOf(peer) };
    await sendTo(peer, endpoint.port, "one");
    assert.equal((await within(5_000, endpoint.receive())).length, 1);
    const calls = endpoint.sendCalls;
    endpoint.send(encoder.encode("at once"), back);
    assert.equal(endpoint.sendCalls, calls + 1);
    // Sent at once, so its error is thrown at once too.
    assert.throws(
      () => endpoint.send(new Uint8Array(1), { ...back, ifindex: 0x7fffffff }),
      /ENODEV/,
    );
    const [data] = await within(5_000, peer.receive());
    assert.equal(decoder.decode(data), "at once");
    // After a batch of two, replies wait for flush() again.
    await sendTo(peer, endpoint.port, "two");
    await sendTo(peer, endpoint.port, "three");
    assert.equal((await within(5_000, endpoint.receive())).length, 2);
    endpoint.send(encoder.encode("queued"), back);
    assert.equal(endpoint.sendCalls, calls + 2);
    assert.deepEqual(endpoint.flush(), []);
    assert.equal(endpoint.sendCalls, calls + 3);
    assert.equal(decoder.decode((await within(5_000, peer.receive()))[0]), "queued");
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("pktinfo: close() still sends what was queued", async () => {
  const endpoint = new PktinfoTransport().open(0);
  const sink = new PktinfoTransport().open(0);
  try {
    endpoint.flush();
    endpoint.send(encoder.encode("last words"), { address: LOOPBACK, port: sink.port });
    endpoint.close();
    assert.deepEqual(await collectTexts(sink, 1), ["last words"]);
    assert.deepEqual(endpoint.flush(), []);
  } finally {
    endpoint.close();
    sink.close();
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
