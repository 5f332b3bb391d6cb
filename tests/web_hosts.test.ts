/**
 * The one host a request names, on a real server: more than one `Host` is a bad request, an absolute-form
 * target must name the Host's own host, and the Origin check compares with that same host.
 */
import assert from "node:assert/strict";
import { rawExchange } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";

const NAME = '{"name":"Ana"}';

function signIn(target: string, headers: string[]): string {
  return `POST ${target} HTTP/1.1\r\n${headers.map((header) => `${header}\r\n`).join("")}` +
    `Content-Type: application/json\r\nContent-Length: ${NAME.length}\r\nConnection: close\r\n\r\n${NAME}`;
}

Deno.test("a request with more than one Host header is answered 400, whichever Host comes first", async () => {
  await using server = await startServer();
  const port = server.httpPort!;
  const own = `127.0.0.1:${port}`;
  for (const hosts of [[own, "evil.example"], ["evil.example", own], [own, own]]) {
    const answer = await rawExchange(
      port,
      signIn("/api/session", [...hosts.map((host) => `Host: ${host}`), `Origin: http://${hosts[0]}`]),
    );
    assert.equal(answer.status, 400, hosts.join(" then "));
    assert.deepEqual(JSON.parse(answer.body), { error: "malformed request: more than one Host header" });
    assert.equal(answer.headers.get("Set-Cookie"), null);
  }
  const page = await rawExchange(port, `GET / HTTP/1.1\r\nHost: ${own}\r\nhost: ${own}\r\nConnection: close\r\n\r\n`);
  assert.equal(page.status, 400, "header names are compared without case");
});

Deno.test("an absolute-form target must name the Host's host, and the Origin is compared with that host", async () => {
  await using server = await startServer();
  const port = server.httpPort!;
  const own = `127.0.0.1:${port}`;
  // The Host passes the Host check; the target and the Origin name the attacker's site.
  const forged = await rawExchange(
    port,
    signIn("http://evil.example/api/session", [`Host: ${own}`, "Origin: http://evil.example"]),
  );
  assert.equal(forged.status, 400);
  assert.deepEqual(JSON.parse(forged.body), { error: "malformed request: the target names another host than Host" });
  assert.equal(forged.headers.get("Set-Cookie"), null);

  const otherOwnName = await rawExchange(
    port,
    signIn(`http://localhost:${port}/api/session`, [`Host: ${own}`, `Origin: http://localhost:${port}`]),
  );
  assert.equal(otherOwnName.status, 400, "another of our own names is still another host");

  const crossOrigin = await rawExchange(
    port,
    signIn(`http://${own}/api/session`, [`Host: ${own}`, "Origin: http://evil.example"]),
  );
  assert.equal(crossOrigin.status, 403);

  const agreeing = await rawExchange(
    port,
    signIn(`http://${own}/api/session`, [`Host: ${own}`, `Origin: http://${own}`]),
  );
  assert.equal(agreeing.status, 201, "an absolute-form target naming the Host's host is served");
  assert.deepEqual(JSON.parse(agreeing.body), { name: "Ana" });
});
