/**
 * What operating costs: a `/metrics` scrape with 1,000 members in the room, and a TLS handshake on the
 * TCP door's TLS port (RSA 2048, self-signed, made with openssl). Runs the real server (main.ts) on free
 * ports; prints medians and p99s. `deno run -A bench/ops_costs.ts`
 */
import { startServer } from "../tests/helpers/server.ts";
import { connectTcp, WELCOME } from "../tests/helpers/tcp_client.ts";
import { makeCertificates } from "../tests/helpers/tls.ts";
import { cpuSeconds } from "./scenarios/abuse_io.ts";

const MEMBERS = 1000;
const SCRAPES = 200;
const HANDSHAKES = 300;

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  return `median ${at(0.5)} ms, p99 ${at(0.99)} ms (n=${ms.length})`;
}

await using tls = await makeCertificates();
const cert = await tls.certificate("bench");
await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--log-level", "warn"]);

const members = [];
for (let i = 0; i < MEMBERS; i++) {
  const member = await connectTcp(server.tcpPort);
  await member.expectLine(WELCOME);
  await member.send(`m${i}`);
  members.push(member);
}
await members.at(-1)!.expectLine(`* m${MEMBERS - 1} joined the chat`, 60_000);

const scrapes: number[] = [];
let size = 0;
for (let i = 0; i < SCRAPES; i++) {
  const started = performance.now();
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  scrapes.push(performance.now() - started);
  size = text.length;
}
console.log(`/metrics with ${MEMBERS} members: ${summary(scrapes)}, ${size} bytes`);
for (const member of members) member.close();

const handshakes: number[] = [];
const cpuBefore = await cpuSeconds(server.process.pid);
for (let i = 0; i < HANDSHAKES; i++) {
  const started = performance.now();
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port: server.tlsPort!, caCerts: [cert.pem] });
  await conn.handshake();
  handshakes.push(performance.now() - started);
  conn.close();
}
const cpu = (await cpuSeconds(server.process.pid)) - cpuBefore;
console.log(`TLS handshake (connect + handshake, client and server on one machine): ${summary(handshakes)}`);
console.log(`server CPU per TLS connection (handshake, greeting, close): ${(cpu / HANDSHAKES * 1000).toFixed(2)} ms`);

const plain: number[] = [];
for (let i = 0; i < HANDSHAKES; i++) {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.tcpPort });
  await conn.read(new Uint8Array(64));
  plain.push(performance.now() - started);
  conn.close();
}
console.log(`plain TCP connect to the greeting, for comparison: ${summary(plain)}`);
