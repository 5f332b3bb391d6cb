import assert from "node:assert/strict";
import { AllowedHosts, parseHost } from "../../server/web/hosts.ts";

const NO_INTERFACES = () => [];

Deno.test("Host headers are read as name and port, IPv6 in brackets; anything else is no host", () => {
  assert.deepEqual(parseHost("example.com"), { name: "example.com", port: undefined });
  assert.deepEqual(parseHost("example.com:8000"), { name: "example.com", port: 8000 });
  assert.deepEqual(parseHost("[::1]:8000"), { name: "[::1]", port: 8000 });
  for (const bad of ["", "::1", "a b", "user@example.com", "example.com:99999", "example.com:", "[::1", "a/b"]) {
    assert.equal(parseHost(bad), undefined, bad);
  }
});

Deno.test("a loopback bind answers for localhost, 127.0.0.1 and [::1], on its own port only", () => {
  const hosts = new AllowedHosts("127.0.0.1", 8000, "", NO_INTERFACES);
  for (const host of ["127.0.0.1:8000", "localhost:8000", "LocalHost:8000", "[::1]:8000"]) {
    assert.ok(hosts.allows(host), host);
  }
  for (const host of ["127.0.0.1:8001", "localhost", "evil.example:8000", "127.0.0.2:8000", undefined]) {
    assert.ok(!hosts.allows(host), String(host));
  }
});

Deno.test("port 80 may be left out of the Host, as browsers do", () => {
  const hosts = new AllowedHosts("127.0.0.1", 80, "", NO_INTERFACES);
  assert.ok(hosts.allows("localhost"));
  assert.ok(hosts.allows("localhost:80"));
});

Deno.test("a wildcard bind answers for the machine's interface addresses, zones left out", () => {
  const hosts = new AllowedHosts("0.0.0.0", 8000, "", () => ["192.0.2.7", "127.0.0.1", "fe80::1%eth0"]);
  for (const host of ["192.0.2.7:8000", "localhost:8000", "[fe80::1]:8000", "127.0.0.1:8000"]) {
    assert.ok(hosts.allows(host), host);
  }
  assert.ok(!hosts.allows("192.0.2.8:8000"));
});

Deno.test("a bind to one address answers for that address alone", () => {
  const hosts = new AllowedHosts("192.0.2.7", 8000, "", NO_INTERFACES);
  assert.ok(hosts.allows("192.0.2.7:8000"));
  assert.ok(!hosts.allows("localhost:8000"));
});

Deno.test("--public-host names answer on any port, NAME:PORT on that port, and nothing else does", () => {
  const hosts = new AllowedHosts("127.0.0.1", 8000, " chat.example.com , Other.example:8443", NO_INTERFACES);
  assert.ok(hosts.allows("chat.example.com"));
  assert.ok(hosts.allows("CHAT.example.com:443"));
  assert.ok(hosts.allows("other.example:8443"));
  assert.ok(!hosts.allows("other.example"));
  assert.ok(!hosts.allows("sub.chat.example.com"));
  assert.throws(() => new AllowedHosts("127.0.0.1", 8000, "a b", NO_INTERFACES), /--public-host/);
});
