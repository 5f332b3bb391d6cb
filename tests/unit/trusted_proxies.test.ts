/** `--trust-proxy`: which peers are believed about the client, and how far along a forwarding header. */
import assert from "node:assert/strict";
import { canonicalAddress, MAX_FORWARDED_HOPS, TrustedProxies } from "../../server/net/trusted_proxies.ts";

const PROXIES = TrustedProxies.parse("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8");
const PROXY = "10.0.0.1";
const viaProxy = (headers: { forwardedFor?: string | null; forwarded?: string | null }) =>
  PROXIES.clientAddress(PROXY, headers);

Deno.test("a list of ranges and bare addresses parses, spaces allowed, and an empty one trusts nobody", () => {
  assert.equal(PROXIES.none, false);
  for (const address of ["10.1.2.3", "127.0.0.1", "::1", "fd12:3456::1"]) assert.ok(PROXIES.trusts(address), address);
  for (const address of ["127.0.0.2", "11.0.0.1", "::2", "fe00::1"]) assert.ok(!PROXIES.trusts(address), address);
  const tight = TrustedProxies.parse("  192.168.1.0/24,2001:db8::/32 ,0.0.0.0/32");
  assert.ok(tight.trusts("192.168.1.255") && tight.trusts("2001:db8:ffff::1") && tight.trusts("0.0.0.0"));
  assert.ok(!tight.trusts("192.168.2.0") && !tight.trusts("2001:db9::1"));
  assert.ok(TrustedProxies.parse("0.0.0.0/0").trusts("203.0.113.7"));
  for (const list of ["", "   "]) {
    const nobody = TrustedProxies.parse(list);
    assert.equal(nobody.none, true);
    assert.ok(!nobody.trusts("127.0.0.1"));
    assert.equal(nobody.clientAddress("127.0.0.1", { forwardedFor: "1.2.3.4" }), "127.0.0.1");
  }
});

Deno.test("a bad entry throws an error that names it", () => {
  const bad = [
    "10.0.0.0/33",
    "::/129",
    "1.2.3.4/",
    "1.2.3.4/-1",
    "1.2.3.4/08",
    "1.2.3.4/8/8",
    "1.2.3.4/ 8",
    "1.2.3",
    "127.1",
    "010.0.0.1",
    "0x7f.0.0.1",
    "256.0.0.1",
    "::ffff:01.2.3.4",
    "fe80::1%eth0",
    "1::2::3",
    "localhost",
    "/8",
  ];
  for (const entry of bad) {
    assert.throws(
      () => TrustedProxies.parse(`127.0.0.1, ${entry}, ::1`),
      { message: `--trust-proxy: "${entry.trim()}" is not an address or CIDR range` },
      entry,
    );
  }
  assert.throws(() => TrustedProxies.parse("127.0.0.1,,::1"), { message: /"" is not an address/ });
});

Deno.test("trusts() matches IPv4, IPv6 in any spelling, IPv4-mapped as IPv4, drops a zone, and refuses garbage", () => {
  assert.ok(PROXIES.trusts("0:0:0:0:0:0:0:1"));
  assert.ok(PROXIES.trusts("FD00::ABCD"));
  assert.ok(PROXIES.trusts("::ffff:127.0.0.1") && PROXIES.trusts("::ffff:a00:1"));
  assert.ok(!PROXIES.trusts("::ffff:127.0.0.2"));
  assert.ok(TrustedProxies.parse("127.0.0.1/8").trusts("::ffff:127.9.9.9"));
  assert.ok(TrustedProxies.parse("::ffff:10.0.0.0/104").trusts("10.9.9.9"), "a mapped range is its IPv4 range");
  assert.ok(TrustedProxies.parse("fe80::/10").trusts("fe80::1%eth0"));
  assert.ok(TrustedProxies.parse("fe80::/10").trusts("fe80::1%2"));
  const garbage = [
    "",
    " 10.0.0.1",
    "10.0.0.1 ",
    "10.0.0.1%eth0",
    "fe80::1%",
    "10.1",
    "unknown",
    "[::1]",
    "10.0.0.1:80",
  ];
  for (const address of garbage) assert.ok(!PROXIES.trusts(address), JSON.stringify(address));
  assert.ok(!TrustedProxies.parse("::/0").trusts("10.0.0.1"), "IPv6 ranges match only IPv6 addresses");
});

Deno.test("an untrusted peer is the client whatever its headers say", () => {
  const headers = { forwardedFor: "10.0.0.5, 203.0.113.7", forwarded: "for=10.0.0.5" };
  assert.equal(PROXIES.clientAddress("198.51.100.9", headers), "198.51.100.9");
  assert.equal(PROXIES.clientAddress("::ffff:198.51.100.9", headers), "198.51.100.9");
  assert.equal(PROXIES.clientAddress("not an address", headers), "not an address");
});

Deno.test("behind trusted proxies the right-most untrusted entry is the client and forged entries left of it change nothing", () => {
  assert.equal(viaProxy({ forwardedFor: "203.0.113.7" }), "203.0.113.7");
  assert.equal(viaProxy({ forwardedFor: "198.51.100.1, 203.0.113.7, 10.0.0.2" }), "203.0.113.7");
  assert.equal(viaProxy({ forwardedFor: "1.1.1.1, 10.0.0.9, 203.0.113.7,10.0.0.2" }), "203.0.113.7");
  assert.equal(viaProxy({ forwardedFor: "unknown, garbage, 10.0.0.3, 203.0.113.7, 10.0.0.2" }), "203.0.113.7");
});

Deno.test("when every entry is a trusted proxy the left-most one is the client", () => {
  assert.equal(viaProxy({ forwardedFor: "10.0.0.3, ::1, 10.0.0.2" }), "10.0.0.3");
  assert.equal(viaProxy({ forwarded: "for=127.0.0.1, for=10.0.0.2" }), "127.0.0.1");
});

Deno.test("the peer stands in when the entry found is not an IP address, or the header is empty", () => {
  for (
    const forwardedFor of ["unknown", "_hidden", "garbage", "203.0.113.7, unknown", "", " ", "203.0.113.7,", "1.2.3"]
  ) {
    assert.equal(viaProxy({ forwardedFor }), PROXY, JSON.stringify(forwardedFor));
  }
  for (const forwarded of ["for=unknown", 'for="_hidden"', "for=_hidden:_port", "", "proto=https", "for"]) {
    assert.equal(viaProxy({ forwarded }), PROXY, JSON.stringify(forwarded));
  }
  assert.equal(viaProxy({}), PROXY);
  assert.equal(viaProxy({ forwardedFor: null, forwarded: null }), PROXY);
});

Deno.test("Forwarded: quoted IPv6 with a port, IPv4 with a port, several elements, any case of For=", () => {
  assert.equal(viaProxy({ forwarded: 'for="[2001:DB8:CAFE::17]:4711"' }), "2001:db8:cafe::17");
  assert.equal(viaProxy({ forwarded: 'for="[2001:db8::17]"' }), "2001:db8::17");
  assert.equal(viaProxy({ forwarded: 'for="203.0.113.7:8080"' }), "203.0.113.7");
  assert.equal(viaProxy({ forwarded: "for=203.0.113.7:_abc" }), "203.0.113.7");
  assert.equal(
    viaProxy({ forwarded: 'for=198.51.100.1;proto=http, For="203.0.113.7";by=10.0.0.2, FOR=10.0.0.2;proto=https' }),
    "203.0.113.7",
  );
  assert.equal(viaProxy({ forwarded: 'host="a,b;c";for=203.0.113.7' }), "203.0.113.7", "separators in quotes");
  assert.equal(viaProxy({ forwarded: 'for="\\203.0.113.7"' }), "203.0.113.7", "quoted-pair");
});

Deno.test("Forwarded: an element a proxy wrote without one clear for= ends the walk at the peer", () => {
  assert.equal(viaProxy({ forwarded: "for=203.0.113.7, proto=https" }), PROXY);
  assert.equal(viaProxy({ forwarded: "for=203.0.113.7;for=10.0.0.2" }), PROXY);
  assert.equal(viaProxy({ forwarded: 'for="203.0.113.7' }), PROXY);
  assert.equal(viaProxy({ forwarded: 'for=203.0.113.7, for="unterminated, for=10.0.0.2' }), PROXY);
});

Deno.test("X-Forwarded-For wins when both headers are present, even empty", () => {
  assert.equal(viaProxy({ forwardedFor: "203.0.113.7", forwarded: "for=198.51.100.1" }), "203.0.113.7");
  assert.equal(viaProxy({ forwardedFor: "", forwarded: "for=198.51.100.1" }), PROXY);
  assert.equal(viaProxy({ forwardedFor: null, forwarded: "for=198.51.100.1" }), "198.51.100.1");
});

Deno.test("a 100-entry header is walked only 64 entries from the right", () => {
  const trusted = Array.from({ length: 100 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  assert.equal(viaProxy({ forwardedFor: trusted.join(", ") }), trusted[100 - MAX_FORWARDED_HOPS]);
  const forged = ["203.0.113.7", ...trusted.slice(1)].join(",");
  assert.equal(viaProxy({ forwardedFor: forged }), trusted[100 - MAX_FORWARDED_HOPS], "the client out of reach");
  const elements = trusted.map((address) => `for=${address}`).join(", ");
  assert.equal(viaProxy({ forwarded: elements }), trusted[100 - MAX_FORWARDED_HOPS]);
  assert.equal(MAX_FORWARDED_HOPS, 64);
});

Deno.test("addresses come back canonical: RFC 5952 IPv6, IPv4-mapped as IPv4, zone dropped", () => {
  assert.equal(viaProxy({ forwardedFor: "2001:0DB8:0000:0000:0000:0000:0000:0001" }), "2001:db8::1");
  assert.equal(viaProxy({ forwardedFor: "::ffff:203.0.113.7" }), "203.0.113.7");
  assert.equal(viaProxy({ forwardedFor: "[2001:db8::1]:443" }), "2001:db8::1");
  assert.equal(PROXIES.clientAddress("::ffff:10.0.0.1", { forwardedFor: "::FFFF:CB00:7107" }), "203.0.113.7");
  assert.equal(PROXIES.clientAddress("0:0:0:0:0:0:0:1", {}), "::1");
  const cases: [string, string | undefined][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["fe80::1%eth0", "fe80::1"],
    ["127.0.0.1%eth0", undefined],
    ["127.1", undefined],
    ["010.0.0.1", undefined],
    ["::ffff:0x7f.0.0.1", undefined],
    ["unknown", undefined],
    ["_hidden", undefined],
    ["", undefined],
  ];
  for (const [input, canonical] of cases) assert.equal(canonicalAddress(input), canonical, input);
});
