/** Connection limits per address and in all, in-process. */
import assert from "node:assert/strict";
import { ConnectionCaps, isLoopback } from "../../server/io/caps.ts";
import { TrustedProxies } from "../../server/net/trusted_proxies.ts";

const caps = (maxPerAddress = 2, maxConnections = 4, exempt = "none") =>
  new ConnectionCaps({ maxPerAddress, maxConnections, exempt });

Deno.test("an address gets its share, then is refused as 'address' until one of its slots is released", () => {
  const limits = caps();
  const slots = [limits.take("203.0.113.7"), limits.take("203.0.113.7")];
  assert.equal(limits.refusal("203.0.113.7")?.kind, "address");
  assert.equal(limits.refusal("198.51.100.1"), undefined, "another address is not affected");
  slots[0].release();
  assert.equal(limits.refusal("203.0.113.7"), undefined);
});

Deno.test("past the total every address is refused as 'full'; a release makes room", () => {
  const limits = caps(10, 3);
  const slots = ["a", "b", "c"].map((address) => limits.take(address));
  assert.equal(limits.total, 3);
  assert.equal(limits.refusal("d")?.kind, "full");
  slots[1].release();
  assert.equal(limits.refusal("d"), undefined);
});

Deno.test("a slot released twice counts once", () => {
  const limits = caps();
  const slot = limits.take("203.0.113.7");
  slot.release();
  slot.release();
  assert.equal(limits.total, 0);
  assert.ok(slot.released);
});

Deno.test("loopback is exempt from the per-address cap with 'loopback', not from the total", () => {
  const limits = caps(1, 3, "loopback");
  limits.take("127.0.0.1");
  limits.take("127.0.0.1");
  assert.equal(limits.refusal("127.0.0.1"), undefined);
  limits.take("::1");
  assert.equal(limits.refusal("127.0.0.1")?.kind, "full");
});

Deno.test("a live slot being taken over is not counted against the one taking it", () => {
  const limits = caps(1, 1);
  const pending = limits.take("203.0.113.7");
  assert.equal(limits.refusal("203.0.113.7")?.kind, "full");
  assert.equal(limits.refusal("203.0.113.7", pending), undefined);
  pending.release();
  assert.equal(limits.refusal("203.0.113.7", pending), undefined, "a released slot gives no credit twice");
});

Deno.test("a name held without a connection counts against its address, not against the connections in all", () => {
  const limits = caps(2, 2);
  const name = limits.hold("203.0.113.7");
  limits.take("203.0.113.7");
  assert.equal(limits.refusal("203.0.113.7")?.kind, "address", "a connection after a name");
  assert.equal(limits.nameRefusal("203.0.113.7")?.error, "too many names and connections from your address (max 2)");
  assert.deepEqual([limits.total, limits.names], [1, 1]);
  assert.equal(limits.refusal("198.51.100.1"), undefined, "the name takes no connection's place in all");
  limits.hold("198.51.100.1");
  assert.equal(limits.nameRefusal("192.0.2.1")?.kind, "full", "names held in all are bounded apart");
  name.release();
  assert.equal(limits.refusal("203.0.113.7"), undefined);
  assert.equal(limits.nameRefusal("203.0.113.7", name), undefined);
});

Deno.test("a name slot being taken over is credited to names only, not to connections", () => {
  const limits = caps(5, 1);
  limits.take("a");
  const name = limits.hold("a");
  assert.equal(limits.refusal("b", name)?.kind, "full", "connections in all are still full");
  assert.equal(limits.nameRefusal("b", name), undefined, "the name being replaced makes room among names");
});

Deno.test("loopback means 127/8, ::1 and IPv4-mapped 127/8", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.9"]) {
    assert.ok(isLoopback(address), address);
  }
  for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "128.0.0.1", "fe80::1", ""]) {
    assert.ok(!isLoopback(address), address);
  }
});

Deno.test("a stream through a trusted proxy counts against its client's address only, not in all", () => {
  const limits = caps(2, 1);
  const streams = [limits.forward("198.51.100.1"), limits.forward("198.51.100.1")];
  assert.equal(limits.total, 0, "the proxy's connection it rides on is the one counted in all");
  assert.equal(limits.forwardRefusal("198.51.100.1")?.error, "too many connections from your address (max 2)");
  assert.equal(limits.refusal("198.51.100.1")?.kind, "address", "a direct connection from it is refused too");
  assert.equal(limits.forwardRefusal("198.51.100.2"), undefined, "another client is not affected");
  limits.take("203.0.113.7");
  assert.equal(limits.refusal("203.0.113.8")?.kind, "full");
  assert.equal(limits.forwardRefusal("198.51.100.2"), undefined, "connections in all being full does not refuse it");
  streams[0].release();
  streams[0].release();
  assert.equal(limits.forwardRefusal("198.51.100.1"), undefined);
  assert.equal(limits.total, 1);
});

Deno.test("a trusted proxy's own connections are not refused per address where it names its clients, but count in all", () => {
  const limits = new ConnectionCaps({
    maxPerAddress: 1,
    maxConnections: 3,
    exempt: "none",
    proxies: TrustedProxies.parse("10.0.0.1"),
  });
  limits.take("10.0.0.1");
  limits.take("10.0.0.1");
  assert.equal(limits.proxyRefusal(), undefined, "the proxy stands for many clients");
  assert.equal(limits.refusal("10.0.0.1")?.kind, "address", "where it names no client it is an address like any");
  limits.take("10.0.0.2");
  assert.equal(limits.refusal("10.0.0.2")?.kind, "full");
  assert.equal(limits.total, 3);
  assert.equal(limits.proxyRefusal()?.kind, "full", "the total binds the proxy too");
});
