/**
 * Who the client is behind a trusted proxy (`--trust-proxy`), over real sockets: the PROXY protocol header
 * on the TCP door (`--proxy-protocol`), `X-Forwarded-For` and `Forwarded` on the web door. Only a trusted
 * peer is believed; a client connecting from another loopback address (127.0.0.2, through node:net's
 * `localAddress`) plays the untrusted peer that forges the same words.
 */
import assert from "node:assert/strict";
import { openEvents, type SseClient } from "./helpers/sse_client.ts";
import { WebClient } from "./helpers/http.ts";
import { type RawAnswer, readAnswer } from "./helpers/raw_http.ts";
import { serverCommand, startServer } from "./helpers/server.ts";
import { connectTcp, WELCOME } from "./helpers/tcp_client.ts";
import { connectFrom, socketFrom } from "./helpers/proxies.ts";

const TRUSTED = "127.0.0.1";
/** Not in `--trust-proxy 127.0.0.1`, yet on this machine: a direct client that forges headers. */
const UNTRUSTED = "127.0.0.2";
const PROXY_TCP = ["--trust-proxy", TRUSTED, "--proxy-protocol"];
const PER_ADDRESS_1 = ["--exempt", "none", "--max-per-address", "1"];
const PER_ADDRESS_2 = ["--exempt", "none", "--max-per-address", "2"];
const TOO_MANY_1 = "! too many connections from your address (max 1)";
const TOO_MANY_2 = { error: "too many connections from your address (max 2)" };
/** What the room answers a `PROXY TCP4 …` line given as a name: it is longer than a name may be. */
const PROXY_LINE_AS_NAME = ["! a name may be at most 32 characters", "Enter your name:"];

const encoder = new TextEncoder();

// --- TCP door, trusted peer, --proxy-protocol ---

Deno.test("a v1 header, the name and a line in one write: the client joins and talks, logged under the header's address", async () => {
  await using server = await startServer(PROXY_TCP);
  await using ana = await connectTcp(server.tcpPort);
  await ana.sendRaw(`${v1Header("203.0.113.9", 5555, server.tcpPort)}Ana\nhello\n`);
  await ana.expectLine(WELCOME);
  await ana.expectLine("* Ana joined the chat");
  await ana.expectLine("Ana: hello");
  await server.expectLog(/INFO tcp\.connect address=203\.0\.113\.9 port=5555$/m);
  assert.doesNotMatch(server.logs(), /tcp\.connect address=127\.0\.0\.1 /);
});

Deno.test("a v2 header names the client the same way, over IPv4 and over IPv6", async () => {
  await using server = await startServer(PROXY_TCP);
  await using ana = await connectTcp(server.tcpPort);
  await ana.sendRaw(concat(v2Tcp4([203, 0, 113, 9], 5555, server.tcpPort), encoder.encode("Ana\nhello\n")));
  await ana.expectLine(WELCOME);
  await ana.expectLine("* Ana joined the chat");
  await ana.expectLine("Ana: hello");
  await server.expectLog(/INFO tcp\.connect address=203\.0\.113\.9 port=5555$/m);

  await using bob = await connectTcp(server.tcpPort);
  const source = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 9];
  await bob.sendRaw(concat(v2Tcp6(source, 6666, server.tcpPort), encoder.encode("Bob\nhi\n")));
  await bob.expectLine(WELCOME);
  await bob.expectLine("* Bob joined the chat");
  await ana.expectLine("Bob: hi");
  await server.expectLog(/INFO tcp\.connect address=2001:db8::9 port=6666$/m);
});

Deno.test("a v2 LOCAL header (a balancer's health check) is served as the proxy itself", async () => {
  await using server = await startServer(PROXY_TCP);
  await using check = await connectTcp(server.tcpPort);
  await check.sendRaw(concat(v2Local(), encoder.encode("Ana\nhello\n")));
  await check.expectLine(WELCOME);
  await check.expectLine("* Ana joined the chat");
  await check.expectLine("Ana: hello");
  await server.expectLog(/INFO tcp\.connect address=127\.0\.0\.1 port=\d+$/m);
  assert.doesNotMatch(server.logs(), /proxy_header_refused/);
});

Deno.test("the per-address cap counts the address the header names, not the proxy's", async () => {
  await using server = await startServer([...PROXY_TCP, ...PER_ADDRESS_1]);
  const port = server.tcpPort;
  await using first = await connectTcp(port);
  await first.sendRaw(v1Header("203.0.113.9", 5555, port));
  await first.expectLine(WELCOME);

  await using second = await connectTcp(port);
  await second.sendRaw(v1Header("203.0.113.9", 5556, port));
  assert.deepEqual(await second.closed(), [TOO_MANY_1]);
  await server.expectLog(/WARN tcp\.refuse address=203\.0\.113\.9 port=5556 reason=address$/m);

  await using other = await connectTcp(port);
  await other.sendRaw(v1Header("203.0.113.10", 5557, port));
  await other.expectLine(WELCOME);
  await other.send("Bob");
  await other.expectLine("* Bob joined the chat");
});

Deno.test("a trusted peer that sends no header within --header-timeout is closed, with one warn line", async () => {
  await using server = await startServer([...PROXY_TCP, "--header-timeout", "1"]);
  await using silent = await connectTcp(server.tcpPort);
  const started = Date.now();
  assert.deepEqual(await silent.closed(5_000), [], "no greeting before the header");
  assert.ok(Date.now() - started >= 900, `closed after ${Date.now() - started} ms, before the timeout`);
  const port = silent.conn.localAddr.port;
  await server.expectLog(
    new RegExp(
      `WARN tcp\\.proxy_header_refused address=127\\.0\\.0\\.1 port=${port} reason="no header within --header-timeout"$`,
      "m",
    ),
  );
  assert.equal(refusedHeaderLines(server.logs()).length, 1, server.logs());
  assert.doesNotMatch(server.logs(), /tcp\.connect/);
});

Deno.test("a trusted peer whose first line is not a header is closed with a warn line, and nobody joins", async () => {
  await using server = await startServer(PROXY_TCP);
  await using watcher = await connectTcp(server.tcpPort);
  await watcher.sendRaw(`${v1Header("203.0.113.9", 5555, server.tcpPort)}Obs\n`);
  await watcher.expectLine("* Obs joined the chat");

  await using plain = await connectTcp(server.tcpPort);
  await plain.sendRaw("Ana\n");
  assert.deepEqual(await plain.closed(), [], "not even the greeting");
  await server.expectLog(
    /WARN tcp\.proxy_header_refused address=127\.0\.0\.1 port=\d+ reason="not a PROXY protocol header"$/m,
  );
  await watcher.send("/who");
  assert.deepEqual(await watcher.linesUntil("  Obs (tcp)"), ["1 online:", "  Obs (tcp)"]);
  assert.ok(!watcher.received.includes("* Ana joined the chat"), watcher.received.join("\n"));
  assert.doesNotMatch(server.logs(), /tcp\.connect address=127\.0\.0\.1 /);
});

Deno.test("a header cut off by the peer's close is refused without harm, and the next client is served", async () => {
  await using server = await startServer(PROXY_TCP);
  const port = server.tcpPort;
  const truncated = [encoder.encode("PROXY TCP4 203.0.113.9 12"), v2Tcp4([203, 0, 113, 9], 5555, port).subarray(0, 20)];
  for (const bytes of truncated) {
    await using cut = await connectTcp(port);
    const from = cut.conn.localAddr.port;
    await cut.sendRaw(bytes);
    cut.close();
    const reason = `address=127\\.0\\.0\\.1 port=${from} reason="connection closed before the header"`;
    await server.expectLog(new RegExp(`WARN tcp\\.proxy_header_refused ${reason}$`, "m"));
  }
  assert.equal(refusedHeaderLines(server.logs()).length, 2);
  await using ana = await connectTcp(port);
  await ana.sendRaw(`${v1Header("203.0.113.9", 5555, port)}Ana\n`);
  await ana.expectLine("* Ana joined the chat");
  assert.doesNotMatch(server.logs(), /ERROR/);
});

// --- TCP door, untrusted peer, and a trusted one without --proxy-protocol ---

Deno.test("an untrusted peer's PROXY line changes nothing: the room refuses it as a name, and a proper name follows", async () => {
  await using server = await startServer(PROXY_TCP);
  await using eve = await connectFrom(UNTRUSTED, server.tcpPort);
  await eve.expectLine(WELCOME);
  await eve.sendRaw(v1Header("203.0.113.9", 5555, server.tcpPort));
  assert.deepEqual([await eve.readLine(), await eve.readLine()], PROXY_LINE_AS_NAME);
  await eve.send("Eve");
  await eve.expectLine("* Eve joined the chat");
  await server.expectLog(/INFO tcp\.connect address=127\.0\.0\.2 port=\d+$/m);
  assert.doesNotMatch(server.logs(), /203\.0\.113\.9|proxy_header_refused/);
});

Deno.test("without --proxy-protocol a trusted peer's PROXY line is just a name, and refused", async () => {
  await using server = await startServer(["--trust-proxy", TRUSTED]);
  await using ana = await connectTcp(server.tcpPort);
  await ana.expectLine(WELCOME);
  await ana.sendRaw(v1Header("203.0.113.9", 5555, server.tcpPort));
  assert.deepEqual([await ana.readLine(), await ana.readLine()], PROXY_LINE_AS_NAME);
  await ana.send("Ana");
  await ana.expectLine("* Ana joined the chat");
  await server.expectLog(/INFO tcp\.connect address=127\.0\.0\.1 port=\d+$/m);
  assert.doesNotMatch(server.logs(), /203\.0\.113\.9/);
});

// --- Configuration ---

Deno.test("--proxy-protocol without --trust-proxy, or a range that is not one, stops the server before it listens", async () => {
  for (
    const [args, reason] of [
      [["--proxy-protocol"], /^error: --proxy-protocol needs --trust-proxy\b/],
      [["--trust-proxy", "10.0.0.0/33"], /^error: --trust-proxy: "10\.0\.0\.0\/33" is not an address or CIDR range$/],
      [["--trust-proxy", "127.0.0.1,nope", "--proxy-protocol"], /^error: --trust-proxy: "nope" /],
    ] as const
  ) {
    const [program, ...rest] = serverCommand([...args]);
    const { code, stdout, stderr } = await new Deno.Command(program, { args: rest, stdin: "null" }).output();
    const [first] = new TextDecoder().decode(stderr).split("\n");
    // As every other bad flag (tcp_config.test.ts): exit 2, the reason on one line, then the usage.
    assert.equal(code, 2, `${args}: ${first}`);
    assert.match(first, reason);
    assert.equal(new TextDecoder().decode(stdout), "", "nothing listened");
  }
});

// --- Web door ---

Deno.test("behind a trusted proxy each X-Forwarded-For client gets its own quota of streams", async () => {
  await using server = await startServer(["--trust-proxy", TRUSTED, ...PER_ADDRESS_2]);
  const ana = await proxiedClient(server.httpUrl, "Ana", { "X-Forwarded-For": "198.51.100.1" });
  const bob = await proxiedClient(server.httpUrl, "Bob", { "X-Forwarded-For": "198.51.100.2" });
  await using ana1 = await ana.events();
  await using _ana2 = await ana.events();
  await server.expectLog(/INFO web\.connect address=198\.51\.100\.1 name=Ana$/m);

  const check = await ana.check();
  assert.deepEqual([check.status, check.body], [429, TOO_MANY_2]);
  const third = await ana.open();
  assert.deepEqual([third.status, await third.json()], [429, TOO_MANY_2]);
  assert.deepEqual([(await bob.check()).status], [204], "the other client's quota is its own");

  await using _bob1 = await bob.events();
  await using _bob2 = await bob.events();
  await server.expectLog(/INFO web\.connect address=198\.51\.100\.2 name=Bob$/m);
  assert.equal((await bob.check()).status, 429);

  // A closed stream gives its client's place back.
  await ana1.close();
  await server.expectLog(/INFO web\.disconnect address=198\.51\.100\.1 name=Ana /);
  assert.equal((await ana.check()).status, 204);
  await using _ana3 = await ana.events();
});

Deno.test("the client is the right-most untrusted X-Forwarded-For entry, or Forwarded's for=", async () => {
  await using server = await startServer(["--trust-proxy", TRUSTED, ...PER_ADDRESS_2]);
  const spoofed = await proxiedClient(server.httpUrl, "Cy", { "X-Forwarded-For": "1.1.1.1, 198.51.100.1" });
  await using _cy = await spoofed.events();
  await server.expectLog(/INFO web\.connect address=198\.51\.100\.1 name=Cy$/m);

  const rfc = await proxiedClient(server.httpUrl, "Dee", { Forwarded: 'for="[2001:db8::1]:4711"' });
  await using _dee = await rfc.events();
  await server.expectLog(/INFO web\.connect address=2001:db8::1 name=Dee$/m);
  assert.doesNotMatch(server.logs(), /1\.1\.1\.1|address=127\.0\.0\.1/);
});

Deno.test("an untrusted peer's forged X-Forwarded-For changes nothing: it is counted and logged as itself", async () => {
  await using server = await startServer(["--trust-proxy", TRUSTED, ...PER_ADDRESS_2]);
  await forgedHeadersChangeNothing(server.httpPort!, UNTRUSTED, server.expectLog);
});

Deno.test("with no --trust-proxy, forwarding headers are ignored even from loopback", async () => {
  await using server = await startServer(PER_ADDRESS_2);
  await forgedHeadersChangeNothing(server.httpPort!, TRUSTED, server.expectLog);
});

/**
 * From `peer`, which nobody trusts, signs in and opens a stream claiming to be 198.51.100.1: the stream is
 * logged under `peer`, and a check for one more stream counts it there (stream plus check reach the limit
 * of 2, where the claimed address, had it been believed, would have none).
 */
async function forgedHeadersChangeNothing(
  port: number,
  peer: string,
  expectLog: (pattern: RegExp) => Promise<void>,
): Promise<void> {
  const forged = { "X-Forwarded-For": "198.51.100.1", Forwarded: "for=198.51.100.1" };
  const signIn = await exchangeFrom(peer, port, httpRequest(port, "POST", "/api/session", forged, { name: "Eve" }));
  assert.equal(signIn.status, 201, signIn.text);
  const cookie = signIn.headers.get("Set-Cookie")!.split(";")[0];
  const stream = await socketFrom(peer, port);
  try {
    await stream.write(encoder.encode(httpRequest(port, "GET", "/api/events", { ...forged, Cookie: cookie })));
    await expectLog(new RegExp(`INFO web\\.connect address=${peer.replaceAll(".", "\\.")} name=Eve$`, "m"));
    const check = await exchangeFrom(
      peer,
      port,
      httpRequest(port, "GET", "/api/events?check", { ...forged, Cookie: cookie }),
    );
    assert.equal(check.status, 429, check.text);
    assert.deepEqual(JSON.parse(check.body), TOO_MANY_2);
  } finally {
    stream.close();
  }
}

// --- Helpers ---

/** `PROXY TCP4 <source> 127.0.0.1 <port> <destination port>\r\n` */
function v1Header(source: string, port: number, destinationPort: number): string {
  return `PROXY TCP4 ${source} 127.0.0.1 ${port} ${destinationPort}\r\n`;
}

const V2_SIGNATURE = encoder.encode("\r\n\r\n\0\r\nQUIT\n");
const V2_PROXY = 0x21;
const V2_LOCAL = 0x20;
const V2_TCP4 = 0x11;
const V2_TCP6 = 0x21;

/** A v2 header: signature, version and command, family and protocol, length, then the address block. */
function v2Header(command: number, family: number, addresses: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16 + addresses.length);
  bytes.set(V2_SIGNATURE);
  bytes[12] = command;
  bytes[13] = family;
  new DataView(bytes.buffer).setUint16(14, addresses.length);
  bytes.set(addresses, 16);
  return bytes;
}

function v2Tcp4(source: number[], port: number, destinationPort: number): Uint8Array {
  const block = new Uint8Array(12);
  block.set(source, 0);
  block.set([127, 0, 0, 1], 4);
  new DataView(block.buffer).setUint16(8, port);
  new DataView(block.buffer).setUint16(10, destinationPort);
  return v2Header(V2_PROXY, V2_TCP4, block);
}

function v2Tcp6(source: number[], port: number, destinationPort: number): Uint8Array {
  const block = new Uint8Array(36);
  const view = new DataView(block.buffer);
  source.forEach((group, i) => view.setUint16(2 * i, group));
  view.setUint16(30, 1); // ::1
  view.setUint16(32, port);
  view.setUint16(34, destinationPort);
  return v2Header(V2_PROXY, V2_TCP6, block);
}

function v2Local(): Uint8Array {
  return v2Header(V2_LOCAL, 0x00, new Uint8Array(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

function refusedHeaderLines(logs: string): string[] {
  return logs.split("\n").filter((line) => line.includes("tcp.proxy_header_refused"));
}

/** A web client behind the trusted proxy on 127.0.0.1: every request carries the proxy's `headers`. */
async function proxiedClient(baseUrl: string, name: string, headers: Record<string, string>) {
  const client = new WebClient(baseUrl);
  const signIn = await client.request("POST", "/api/session", { json: { name }, headers });
  if (signIn.status !== 201) throw new Error(`sign in as ${name}: ${signIn.status} ${JSON.stringify(signIn.body)}`);
  const url = new URL("/api/events", baseUrl).href;
  return {
    /** Opens a stream and waits for its `members` frame. */
    async events(): Promise<SseClient> {
      const stream = await openEvents(url, { ...client.cookieHeader, ...headers });
      await stream.expect((event) => event.event === "members");
      return stream;
    },
    check: () => client.request("GET", "/api/events?check", { headers }),
    /** A stream request whose answer is not expected to be a stream. */
    open: () => fetch(url, { headers: { Accept: "text/event-stream", ...client.cookieHeader, ...headers } }),
  };
}

/** A request head (and JSON body) for the web door on `port`, on a connection the server closes after it. */
function httpRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  json?: unknown,
): string {
  const body = json === undefined ? "" : JSON.stringify(json);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Origin: http://127.0.0.1:${port}`,
    "Connection: close",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ...(json === undefined ? [] : ["Content-Type: application/json", `Content-Length: ${encoder.encode(body).length}`]),
  ];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Sends `request` on a new connection from `localAddress` and reads the whole answer. */
async function exchangeFrom(localAddress: string, port: number, request: string): Promise<RawAnswer> {
  const conn = await socketFrom(localAddress, port);
  try {
    await conn.write(encoder.encode(request));
    return await readAnswer(conn);
  } finally {
    conn.close();
  }
}
