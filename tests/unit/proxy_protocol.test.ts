import assert from "node:assert/strict";
import {
  MAX_V1_BYTES,
  MAX_V2_BYTES,
  parseProxyHeader,
  type ProxyHeader,
  readProxyHeader,
} from "../../server/net/proxy_protocol.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 header: signature, version/command, family/protocol, then `body` with its 16-bit length. */
function v2(versionCommand: number, family: number, body: number[], length = body.length): Uint8Array {
  return Uint8Array.of(...SIGNATURE, versionCommand, family, length >> 8, length & 0xff, ...body);
}

const port = (value: number) => [value >> 8, value & 0xff];
const TCP4_BODY = [203, 0, 113, 7, 192, 0, 2, 1, ...port(51234), ...port(6667)];
const IPV6_SOURCE = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0x01];
const TCP6_BODY = [...IPV6_SOURCE, ...new Array(15).fill(0), 0x01, ...port(40000), ...port(6697)];
/** A PP2_TYPE_AUTHORITY TLV ("chat.example") and a PP2_TYPE_NOOP with three bytes of padding. */
const TLVS = [0x02, 0x00, 12, ...bytes("chat.example"), 0x04, 0x00, 3, 0, 0, 0];

const proxy = (length: number, version: 1 | 2, address: string, port: number): ProxyHeader => ({
  state: "proxy",
  length,
  version,
  source: { address, port },
});
const local = (length: number, version: 1 | 2): ProxyHeader => ({ state: "local", length, version });

/** How many bytes it took for the parser to stop saying "partial", and what it said then. */
function verdict(input: Uint8Array): { at: number; header: ProxyHeader } {
  for (let at = 0; at <= input.length; at++) {
    const header = parseProxyHeader(input.subarray(0, at));
    if (header.state !== "partial") return { at, header };
  }
  return { at: -1, header: { state: "partial" } };
}

function assertInvalid(line: string, reason: string): void {
  assert.deepEqual(parseProxyHeader(bytes(line)), { state: "invalid", reason }, JSON.stringify(line));
}

/** A reader that serves `chunks` one per call, then end of stream; it records the buffer sizes asked for. */
function reader(chunks: Uint8Array[]) {
  const asked: number[] = [];
  const read = (buffer: Uint8Array): Promise<number | null> => {
    asked.push(buffer.length);
    const chunk = chunks.shift();
    if (chunk === undefined) return Promise.resolve(null);
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count < chunk.length) chunks.unshift(chunk.subarray(count));
    return Promise.resolve(count);
  };
  return { read, asked };
}

Deno.test("a v1 TCP4 header gives the client's address and port and its own length", () => {
  const line = "PROXY TCP4 203.0.113.7 192.0.2.1 51234 6667\r\n";
  assert.deepEqual(parseProxyHeader(bytes(line)), proxy(line.length, 1, "203.0.113.7", 51234));
  const edges = "PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n";
  assert.deepEqual(parseProxyHeader(bytes(edges)), proxy(edges.length, 1, "0.0.0.0", 0));
});

Deno.test("a v1 TCP6 header gives the address in compressed lower-case form, and a mapped IPv4 as IPv4", () => {
  const cases: [string, string][] = [
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["::1", "::1"],
    ["::", "::"],
    ["2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::1:0:0:0", "fe80::1:0:0:0"],
    ["fe80:0:0:1:0:0:0:0", "fe80:0:0:1::"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
  ];
  for (const [written, printed] of cases) {
    const line = `PROXY TCP6 ${written} ::1 443 6697\r\n`;
    assert.deepEqual(parseProxyHeader(bytes(line)), proxy(line.length, 1, printed, 443), written);
  }
});

Deno.test("a v1 UNKNOWN header is local, with or without anything after it", () => {
  for (
    const line of ["PROXY UNKNOWN\r\n", "PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY UNKNOWN whatever  it is\r\n"]
  ) {
    assert.deepEqual(parseProxyHeader(bytes(line)), local(line.length, 1), line);
  }
});

Deno.test("a v1 header of exactly 107 bytes is accepted; the longest TCP6 line fits", () => {
  const unknown = `PROXY UNKNOWN ${"x".repeat(MAX_V1_BYTES - 16)}\r\n`;
  assert.equal(unknown.length, MAX_V1_BYTES);
  assert.deepEqual(parseProxyHeader(bytes(unknown)), local(MAX_V1_BYTES, 1));
  const full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe";
  const tcp6 = `PROXY TCP6 ${full} ${full} 65535 65535\r\n`;
  assert.deepEqual(parseProxyHeader(bytes(tcp6)), proxy(tcp6.length, 1, full, 65535));
});

Deno.test("a v2 TCP4 header gives the client's address and port, with or without TLVs", () => {
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x11, TCP4_BODY)), proxy(28, 2, "203.0.113.7", 51234));
  const withTlvs = v2(0x21, 0x11, [...TCP4_BODY, ...TLVS]);
  assert.deepEqual(parseProxyHeader(withTlvs), proxy(28 + TLVS.length, 2, "203.0.113.7", 51234));
});

Deno.test("a v2 TCP6 header gives the compressed address, and a mapped IPv4 as IPv4, with or without TLVs", () => {
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x21, TCP6_BODY)), proxy(52, 2, "2001:db8::1", 40000));
  const withTlvs = v2(0x21, 0x21, [...TCP6_BODY, ...TLVS]);
  assert.deepEqual(parseProxyHeader(withTlvs), proxy(52 + TLVS.length, 2, "2001:db8::1", 40000));
  const mapped = [...new Array(10).fill(0), 0xff, 0xff, 198, 51, 100, 9, ...TCP6_BODY.slice(16)];
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x21, mapped)), proxy(52, 2, "198.51.100.9", 40000));
});

Deno.test("a v2 LOCAL header is local whatever its family, with or without a body", () => {
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x00, [])), local(16, 2));
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x11, TCP4_BODY)), local(28, 2));
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x00, TLVS)), local(16 + TLVS.length, 2));
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x12, [])), local(16, 2), "LOCAL ignores the family byte");
});

Deno.test("a v2 PROXY header for AF_UNSPEC or AF_UNIX is local, with or without TLVs", () => {
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x00, [])), local(16, 2));
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x00, TLVS)), local(16 + TLVS.length, 2));
  const unix = [...bytes("/run/haproxy.sock"), ...new Array(216 - 17).fill(0)];
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x31, unix)), local(16 + 216, 2));
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x31, [...unix, ...TLVS])), local(16 + 216 + TLVS.length, 2));
});

Deno.test("bytes arriving one at a time stay partial until the header is whole, then give the same result", () => {
  const headers = [
    bytes("PROXY TCP4 203.0.113.7 192.0.2.1 51234 6667\r\n"),
    bytes("PROXY TCP6 2001:db8::1 ::1 443 6697\r\n"),
    bytes("PROXY UNKNOWN\r\n"),
    v2(0x21, 0x11, [...TCP4_BODY, ...TLVS]),
    v2(0x21, 0x21, TCP6_BODY),
    v2(0x20, 0x00, []),
  ];
  for (const header of headers) {
    const whole = parseProxyHeader(header);
    assert.notEqual(whole.state, "invalid");
    assert.deepEqual(verdict(header), { at: header.length, header: whole });
    const followed = Uint8Array.of(...header, ...bytes("NICK ada\r\n"));
    assert.deepEqual(parseProxyHeader(followed), whole, "bytes after the header change nothing");
  }
});

Deno.test("readProxyHeader returns the bytes after the header, also when the first chat line came in the same read", async () => {
  const line = bytes("PROXY TCP4 203.0.113.7 192.0.2.1 51234 6667\r\nNICK ada\r\nJOIN #a");
  const once = await readProxyHeader(reader([line]).read);
  assert.deepEqual(once.header, proxy(45, 1, "203.0.113.7", 51234));
  assert.equal(new TextDecoder().decode(once.rest), "NICK ada\r\nJOIN #a");

  const dribbled = await readProxyHeader(reader([...line].map((byte) => Uint8Array.of(byte))).read);
  assert.deepEqual(dribbled, { header: once.header, rest: new Uint8Array(0) }, "one byte per read leaves nothing over");

  const binary = Uint8Array.of(...v2(0x21, 0x21, [...TCP6_BODY, ...TLVS]), ...bytes("hi\n"));
  const split = await readProxyHeader(
    reader([binary.subarray(0, 5), binary.subarray(5, 40), binary.subarray(40)]).read,
  );
  assert.deepEqual(split.header, proxy(52 + TLVS.length, 2, "2001:db8::1", 40000));
  assert.deepEqual(split.rest, bytes("hi\n"));
});

Deno.test("readProxyHeader never asks for more bytes than the cap, and stops as soon as a header is hopeless", async () => {
  const endless = bytes(`PROXY UNKNOWN ${"x".repeat(5000)}`);
  const { read, asked } = reader([endless]);
  const result = await readProxyHeader(read);
  assert.deepEqual(result, {
    header: { state: "invalid", reason: "v1 header longer than 107 bytes" },
    rest: new Uint8Array(0),
  });
  assert.deepEqual(asked, [MAX_V2_BYTES]);

  const garbage = reader([bytes("G"), bytes("ET / HTTP/1.1\r\n")]);
  assert.deepEqual((await readProxyHeader(garbage.read)).header, {
    state: "invalid",
    reason: "not a PROXY protocol header",
  });
  assert.equal(garbage.asked.length, 1, "one garbage byte is enough");
});

Deno.test("readProxyHeader reports a connection that closes before or in the middle of the header", async () => {
  const closed = {
    header: { state: "invalid", reason: "connection closed before the header" },
    rest: new Uint8Array(0),
  };
  assert.deepEqual(await readProxyHeader(reader([]).read), closed);
  assert.deepEqual(await readProxyHeader(reader([bytes("PROXY TCP4 1.2.3.4")]).read), closed);
  assert.deepEqual(await readProxyHeader(reader([v2(0x21, 0x11, TCP4_BODY).subarray(0, 20)]).read), closed);
});

Deno.test("anything that cannot start a header is refused at its first wrong byte", () => {
  const cases: [string | Uint8Array, number][] = [
    ["G", 1],
    [Uint8Array.of(0x16, 0x03, 0x01), 1], // a TLS ClientHello
    [Uint8Array.of(0), 1],
    ["NICK ada\r\n", 1],
    ["proxy TCP4", 1],
    ["PROXYTCP4", 6],
    ["PROXY\tTCP4", 6],
    ["\r\n\r\n\0\r\nQUIX", 11],
    ["\r\nGET", 3],
  ];
  for (const [input, at] of cases) {
    const found = verdict(typeof input === "string" ? bytes(input) : input);
    assert.deepEqual(
      found,
      { at, header: { state: "invalid", reason: "not a PROXY protocol header" } },
      JSON.stringify(input),
    );
  }
});

Deno.test("a malformed v1 line is invalid", () => {
  const cases: [string, string][] = [
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "v1 header has a bare lf"],
    ["PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "v1 header has an empty field"],
    ["PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "v1 unsupported protocol"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "v1 header has an empty field"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "v1 header is missing fields"],
    ["PROXY TCP4 1.2.3.4\r\n", "v1 header is missing fields"],
    ["PROXY TCP4\r\n", "v1 header is missing fields"],
    ["PROXY \r\n", "v1 unsupported protocol"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "v1 header has extra fields"],
    ["PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "v1 unsupported protocol"],
    ["PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "v1 unsupported protocol"],
    ["PROXY UNKNOWNX\r\n", "v1 unsupported protocol"],
    ["PROXY TCP4 256.1.1.1 5.6.7.8 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP4 1.2.3.4 5.6.7.08 1 2\r\n", "v1 invalid destination address"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "v1 invalid source port"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "v1 invalid source port"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "v1 invalid source port"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n", "v1 invalid source port"],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1 1e3\r\n", "v1 invalid destination port"],
    ["PROXY TCP4 ::1 ::2 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP4 ::ffff:1.2.3.4 5.6.7.8 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 ::1 5.6.7.8 1 2\r\n", "v1 invalid destination address"],
    ["PROXY TCP6 1::2::3 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 1:2:3:4::5:6:7:8 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 12345::1 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 :1::2 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 ::: ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 1.2.3.4:: ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "v1 invalid source address"],
    ["PROXY TCP6 [::1] ::1 1 2\r\n", "v1 invalid source address"],
  ];
  for (const [line, reason] of cases) assertInvalid(line, reason);
});

Deno.test("a v1 line is refused as soon as its bytes so far cannot be a header", () => {
  const cases: [string, number][] = [
    ["PROXY TCP4  1.2.3.4", 12],
    ["PROXY TCP9 1.2.3.4", 10],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3", 31],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 08", 29],
    ["PROXY TCP4 1.2.3.4 5.6.7.8 65536", 32],
    ["PROXY TCP4 1.2.3.4 ::1", 20],
    ["PROXY TCP4 1.2.3.4\r", 19],
    ["PROXY TCP4 1.2.3.4\rx", 19],
  ];
  for (const [input, at] of cases) {
    const found = verdict(bytes(input));
    assert.equal(found.header.state, "invalid", input);
    assert.equal(found.at, at, input);
  }
});

Deno.test("a v1 line without CRLF is refused once it reaches 107 bytes, never later", () => {
  const long = bytes(`PROXY UNKNOWN ${"x".repeat(200)}`);
  assert.deepEqual(parseProxyHeader(long.subarray(0, MAX_V1_BYTES - 1)), { state: "partial" });
  assert.deepEqual(verdict(long), {
    at: MAX_V1_BYTES,
    header: { state: "invalid", reason: "v1 header longer than 107 bytes" },
  });
  const crAtTheLimit = bytes(`PROXY UNKNOWN ${"x".repeat(MAX_V1_BYTES - 15)}\r\n`);
  assert.equal(crAtTheLimit.length, MAX_V1_BYTES + 1);
  assert.deepEqual(verdict(crAtTheLimit), {
    at: MAX_V1_BYTES,
    header: { state: "invalid", reason: "v1 header longer than 107 bytes" },
  });
  const ipv4Tails = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  assertInvalid(`PROXY TCP6 ${ipv4Tails} ${ipv4Tails} 65535 65535\r\n`, "v1 header longer than 107 bytes");
});

Deno.test("a hostile v1 line with a CR inside, a NUL or non-ASCII bytes is invalid at that byte", () => {
  const cases: [Uint8Array, number, string][] = [
    [bytes("PROXY TCP4 1.2.3.4\r 5.6.7.8 1 2\r\n"), 19, "v1 header is missing fields"],
    [bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r 3\r\n"), 32, "v1 header has a cr without lf"],
    [bytes("PROXY UNKNOWN a\rb\r\n"), 17, "v1 header has a cr without lf"],
    [bytes("PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n"), 19, "v1 header has a non-printable byte 0x0"],
    [bytes("PROXY UNKNOWN \0\r\n"), 15, "v1 header has a non-printable byte 0x0"],
    [bytes("PROXY UNKNOWN café\r\n"), 18, "v1 header has a non-printable byte 0xc3"],
    [
      Uint8Array.of(...bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2"), 0xff, 0x0d, 0x0a),
      31,
      "v1 header has a non-printable byte 0xff",
    ],
    [bytes("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n"), 19, "v1 header has a non-printable byte 0x9"],
    [bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\x7f\r\n"), 31, "v1 header has a non-printable byte 0x7f"],
  ];
  for (const [input, at, reason] of cases) {
    assert.deepEqual(verdict(input), { at, header: { state: "invalid", reason } }, JSON.stringify([...input]));
  }
});

Deno.test("a v2 header with a bad version, command or family is invalid at that byte", () => {
  const cases: [Uint8Array, number, string][] = [
    [v2(0x11, 0x11, TCP4_BODY), 13, "v2 unsupported version 0x1"],
    [v2(0x31, 0x11, TCP4_BODY), 13, "v2 unsupported version 0x3"],
    [v2(0x23, 0x11, TCP4_BODY), 13, "v2 unsupported command 0x3"],
    [v2(0x2f, 0x11, TCP4_BODY), 13, "v2 unsupported command 0xf"],
    [v2(0x21, 0x12, TCP4_BODY), 14, "v2 unsupported family and protocol 0x12"],
    [v2(0x21, 0x22, TCP6_BODY), 14, "v2 unsupported family and protocol 0x22"],
    [v2(0x21, 0x32, []), 14, "v2 unsupported family and protocol 0x32"],
    [v2(0x21, 0x01, []), 14, "v2 unsupported family and protocol 0x1"],
    [v2(0x21, 0x10, TCP4_BODY), 14, "v2 unsupported family and protocol 0x10"],
    [v2(0x21, 0x41, TCP4_BODY), 14, "v2 unsupported family and protocol 0x41"],
  ];
  for (const [input, at, reason] of cases) {
    assert.deepEqual(verdict(input), { at, header: { state: "invalid", reason } }, reason);
  }
});

Deno.test("a v2 length shorter than the address block or over the cap is invalid as soon as it is read", () => {
  const cases: [Uint8Array, string][] = [
    [v2(0x21, 0x11, TCP4_BODY.slice(0, 8)), "v2 length 8 shorter than the address block 12"],
    [v2(0x21, 0x21, TCP4_BODY), "v2 length 12 shorter than the address block 36"],
    [v2(0x21, 0x31, TCP6_BODY), "v2 length 36 shorter than the address block 216"],
    [v2(0x21, 0x11, TCP4_BODY, 0xffff), `v2 header longer than ${MAX_V2_BYTES} bytes`],
    [v2(0x20, 0x00, [], MAX_V2_BYTES - 15), `v2 header longer than ${MAX_V2_BYTES} bytes`],
  ];
  for (const [input, reason] of cases) {
    assert.deepEqual(verdict(input), { at: 16, header: { state: "invalid", reason } }, reason);
  }
  const atTheCap = v2(0x21, 0x11, [...TCP4_BODY, ...new Array(MAX_V2_BYTES - 28).fill(0)]);
  assert.deepEqual(parseProxyHeader(atTheCap), proxy(MAX_V2_BYTES, 2, "203.0.113.7", 51234));
});

Deno.test("a truncated v2 header is partial, however short", () => {
  const header = v2(0x21, 0x21, [...TCP6_BODY, ...TLVS]);
  for (let at = 0; at < header.length; at++) {
    assert.deepEqual(parseProxyHeader(header.subarray(0, at)), { state: "partial" }, `${at} bytes`);
  }
});
