/** Interface listing (real host) and the server-identity choice (pure). */

import assert from "node:assert/strict";
import {
  defaultIfindexResolver,
  inSubnet,
  listInterfaces,
  localAddressFor,
  type NetInterface,
} from "../../src/net/interfaces.ts";

Deno.test("listInterfaces: IPv4 only, with prefix lengths and sysfs's ifindex", () => {
  const interfaces = listInterfaces();
  const lo = interfaces.find((nic) => nic.name === "lo");
  assert.deepEqual(lo, {
    name: "lo",
    ifindex: Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex")),
    addresses: [{ address: "127.0.0.1", prefixLength: 8 }],
  });
  for (const nic of interfaces) {
    assert.equal(nic.ifindex, Number(Deno.readTextFileSync(`/sys/class/net/${nic.name}/ifindex`)));
    for (const { address } of nic.addresses) assert.match(address, /^\d+\.\d+\.\d+\.\d+$/);
  }
});

Deno.test("listInterfaces: a vanished interface is left out; resolver misses give undefined", () => {
  assert.deepEqual(
    listInterfaces((name) => (name === "lo" ? undefined : 7)).map((n) => n.name),
    listInterfaces().filter((n) => n.name !== "lo").map((n) => n.name),
  );
  assert.equal(defaultIfindexResolver()("pdt-no-such-nic"), undefined);
});

Deno.test("inSubnet: masks by prefix length", () => {
  assert.equal(inSubnet("10.0.1.77", "10.0.1.1", 24), true);
  assert.equal(inSubnet("10.0.2.77", "10.0.1.1", 24), false);
  assert.equal(inSubnet("10.0.2.77", "10.0.1.1", 16), true);
  assert.equal(inSubnet("192.168.0.1", "10.0.1.1", 0), true);
  assert.equal(inSubnet("10.0.1.1", "10.0.1.1", 32), true);
  assert.equal(inSubnet("10.0.1.2", "10.0.1.1", 32), false);
});

const interfaces: NetInterface[] = [
  { name: "lo", ifindex: 1, addresses: [{ address: "127.0.0.1", prefixLength: 8 }] },
  {
    name: "eth0",
    ifindex: 2,
    addresses: [
      { address: "10.0.0.1", prefixLength: 24 },
      { address: "10.0.1.1", prefixLength: 24 },
    ],
  },
  { name: "eth1", ifindex: 3, addresses: [{ address: "192.168.5.1", prefixLength: 24 }] },
  { name: "eth2", ifindex: 4, addresses: [] },
];

function inbound(ifindex: number | undefined, destinationAddress?: string, source = "0.0.0.0") {
  return { ifindex, destinationAddress, sourceAddress: source };
}

Deno.test("localAddressFor: a unicast to one of our addresses answers from it", () => {
  assert.equal(localAddressFor(inbound(2, "10.0.1.1"), interfaces), "10.0.1.1");
  // Weak host model: a unicast for eth1's address may arrive on eth0; still ours.
  assert.equal(localAddressFor(inbound(2, "192.168.5.1"), interfaces), "192.168.5.1");
  // Relayed datagrams (no ifindex known for the client) still name our address.
  assert.equal(localAddressFor(inbound(undefined, "10.0.0.1"), interfaces), "10.0.0.1");
});

Deno.test("localAddressFor: a broadcast answers from the receiving NIC", () => {
  const broadcast = "255.255.255.255";
  assert.equal(localAddressFor(inbound(3, broadcast), interfaces), "192.168.5.1");
  assert.equal(localAddressFor(inbound(2, broadcast), interfaces), "10.0.0.1");
  assert.equal(localAddressFor(inbound(2, "10.0.1.255"), interfaces), "10.0.0.1");
  assert.equal(
    localAddressFor(inbound(2, broadcast), interfaces, ["9.9.9.9", "10.0.1.1"]),
    "10.0.1.1",
  );
  // A preferred address of another NIC does not apply here.
  assert.equal(localAddressFor(inbound(2, broadcast), interfaces, ["192.168.5.1"]), "10.0.0.1");
  // A client that already has an address is answered from its subnet.
  assert.equal(localAddressFor(inbound(2, broadcast, "10.0.1.50"), interfaces), "10.0.1.1");
  assert.equal(localAddressFor(inbound(2, broadcast, "172.16.0.9"), interfaces), "10.0.0.1");
});

Deno.test("localAddressFor: undefined when it cannot be told", () => {
  const broadcast = "255.255.255.255";
  assert.equal(localAddressFor(inbound(4, broadcast), interfaces), undefined); // no IPv4
  assert.equal(localAddressFor(inbound(99, broadcast), interfaces), undefined); // unknown NIC
  assert.equal(localAddressFor(inbound(undefined, undefined), interfaces), undefined); // portable
  assert.equal(localAddressFor(inbound(2, broadcast), []), undefined);
});
