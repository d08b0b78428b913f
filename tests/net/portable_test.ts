/** The portable transport (Deno.listenDatagram) on real loopback sockets. */

import assert from "node:assert/strict";
import { PortableTransport } from "../../src/net/portable.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("portable: one datagram per receive, no interface facts, replies reach the peer", async () => {
  const endpoint = new PortableTransport().open(0);
  const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const peerPort = (peer.addr as Deno.NetAddr).port;
  try {
    for (const text of ["one", "two"]) {
      await peer.send(encoder.encode(text), {
        transport: "udp",
        hostname: "127.0.0.1",
        port: endpoint.port,
      });
    }
    for (const text of ["one", "two"]) {
      const batch = await endpoint.receive();
      assert.equal(batch.length, 1);
      assert.deepEqual({ ...batch[0], data: decoder.decode(batch[0].data) }, {
        data: text,
        sourceAddress: "127.0.0.1",
        sourcePort: peerPort,
      });
    }
    // ifindex is ignored rather than refused.
    await endpoint.send(encoder.encode("reply"), {
      address: "127.0.0.1",
      port: peerPort,
      ifindex: 12345,
    });
    const [data, from] = await peer.receive();
    assert.equal(decoder.decode(data), "reply");
    assert.equal((from as Deno.NetAddr).port, endpoint.port);
  } finally {
    endpoint.close();
    peer.close();
  }
});

Deno.test("portable: AddrInUse when taken, and close() rejects a pending receive", async () => {
  const endpoint = new PortableTransport().open(0);
  assert.throws(() => new PortableTransport().open(endpoint.port), Deno.errors.AddrInUse);
  const pending = endpoint.receive();
  endpoint.close();
  await assert.rejects(pending, Deno.errors.Interrupted);
  endpoint.close(); // idempotent
});
