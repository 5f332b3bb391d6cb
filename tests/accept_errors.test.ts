/**
 * File descriptors: the server starts only when its connection limits fit in its descriptor limit, a
 * flood of idle connections far over the limits is refused without starving anyone, and an accept that
 * fails for want of descriptors (EMFILE) does not stop either door for good.
 */
import assert from "node:assert/strict";
import { webMember } from "./helpers/http.ts";
import { connect, type Socket } from "node:net";
import { FD_RESERVE } from "../server/io/fd_limit.ts";
import { socketQueues } from "./helpers/kernel_queues.ts";
import { scrape } from "./helpers/metrics.ts";
import { closeAll, idleConnections, rawExchange, readAnswer } from "./helpers/raw_http.ts";
import { serverCommand, startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";
import { eventually } from "./helpers/eventually.ts";

const LOW_LIMIT = 256;
const FLOOD_ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
/** /proc/net/tcp's state of an established connection. */
const ESTABLISHED = "01";

Deno.test("under a descriptor limit the connection limits do not fit in, the server refuses to start with one line", async () => {
  const [program, ...args] = serverCommand([], { nofile: LOW_LIMIT });
  const { code, stdout, stderr } = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  const lines = (new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr)).trim().split("\n");
  assert.equal(code, 1);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^error: --max-connections 10000 needs \d+ file descriptors .* may open 256 /);
});

Deno.test("a flood of idle connections far over the limits is refused; members keep chatting, then newcomers get in", async () => {
  const limits = ["--exempt", "none", "--max-per-address", "40", "--max-connections", "100", "--idle-timeout", "60"];
  // The metrics port is outside the caps: a failure can say what the server itself counted. Exactly the
  // descriptors the caps need: a flood that made the server hold more fails the test (an accept fails).
  await using server = await startServer([...limits, "--metrics-port", "0"], {}, { nofile: 100 + FD_RESERVE });
  const port = server.httpPort!;
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;
  // Bob's page keeps a connection open for its sends, as a browser does.
  using bobSends = await Deno.connect({ hostname: "127.0.0.1", port });
  const say = async (text: string) => {
    const body = JSON.stringify({ text });
    await bobSends.write(new TextEncoder().encode(
      `POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
        `Cookie: chat_session=${bob.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ));
    return (await readAnswer(bobSends)).status;
  };
  assert.equal(await say("before the flood"), 202);

  // 600 idle connections from four other addresses: 40 each at most get in, 100 in all.
  const flood: Flood[] = [];
  for (const from of FLOOD_ADDRESSES) {
    flood.push(...await floodFrom(from, server.tcpPort, 75), ...await floodFrom(from, port, 75));
  }
  try {
    await ana.send("during the flood");
    await events.expect((event) => event.data.includes('"text":"during the flood"'));
    assert.equal(await say("me too"), 202);
    await ana.expectLine("Bob: me too");
    // Which flood sockets the server closed, as the kernel says (the client's end in close-wait, or gone):
    // counting node:net 'end' events once missed a few under a loaded CI machine.
    const floodOpen = () =>
      [server.tcpPort, port].flatMap((p) => socketQueues(p)).filter((socket) =>
        socket.side === "client" && FLOOD_ADDRESSES.includes(socket.address) && socket.state === ESTABLISHED
      ).length;
    await eventually(() => Promise.resolve(floodOpen() <= 100), 20_000).catch((error) => {
      const accepts = server.output().split("\n").filter((line) => /accept/.test(line)).slice(0, 5);
      throw new Error(
        `${error.message}: ${floodOpen()} flood sockets still established (at most 100 may be let in), ` +
          `${flood.filter((f) => !f.closedByServer).length} without an end or error event; ` +
          `the server's accept lines: ${accepts.join(" | ") || "none"}`,
      );
    });
    // The flood's refused connections hold the refusal answers in flight (at most MAX_REFUSING, each until its
    // client closes or REFUSED_LINGER_MS): until one is free a further refusal is closed unanswered, by design.
    let status = 0;
    await eventually(async () => (status = (await rawExchange(port, get(port), { untilClose: true })).status) !== 0);
    if (status !== 503) {
      const samples = await scrape(server.metricsUrl!);
      const counts = ["tcp", "web"].map((door) =>
        `${door}: ${samples.get(`chat_connections_open{door="${door}"}`)} open, ` +
        `${samples.get(`chat_connections_accepted_total{door="${door}"}`)} accepted`
      );
      assert.equal(status, 503, `the server is full (it counted ${counts.join("; ")})`);
    }
  } finally {
    for (const { socket } of flood) socket.destroy();
  }

  await eventually(async () => (await rawExchange(port, get(port))).status === 401);
  await using _cat = await join(server.tcpPort, "Cat");
  const { events: dan } = await webMember(server.httpUrl, "Dan");
  await using _dan = dan;
  await ana.expectLine("* Dan joined the chat");
  assert.doesNotMatch(server.output(), /accept/, "no accept ever failed: the limits kept descriptors in hand");
});

Deno.test("when descriptors run out, both doors stop accepting for a while and then take new connections again", {
  ignore: !hasPrlimit(),
}, async () => {
  await using server = await startServer();
  const pid = server.process.pid;
  await using ana = await join(server.tcpPort, "Ana");
  const { events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  // Out of descriptors from something else than clients (the caps alone never get here): a few left.
  await prlimit(pid, openDescriptors(pid) + 8);
  const flood = [
    ...await idleConnections(server.httpPort!, 40),
    ...await idleConnections(server.tcpPort, 40),
  ];
  try {
    const stuck = await rawExchange(server.httpPort!, get(server.httpPort!), { timeoutMs: 2000 });
    assert.equal(stuck.status, 0, "no answer while descriptors are out");
    await ana.send("still chatting");
    await events.expect((event) => event.data.includes('"text":"still chatting"'));
  } finally {
    closeAll(flood);
    await prlimit(pid, 20_000);
  }

  await eventually(
    async () => (await rawExchange(server.httpPort!, get(server.httpPort!), { timeoutMs: 1000 })).status === 401,
    30_000,
  );
  await using _cat = await join(server.tcpPort, "Cat");
  await ana.expectLine("* Cat joined the chat");
  assert.match(server.logs(), /web.accept_relisten/);
});

function get(port: number): string {
  return `GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
}

interface Flood {
  socket: Socket;
  closedByServer: boolean;
}

/** `count` idle connections to 127.0.0.1:`port` from the local address `from`, noting which the server closes. */
async function floodFrom(from: string, port: number, count: number): Promise<Flood[]> {
  const flood: Flood[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: "127.0.0.1", port, localAddress: from });
    const entry = { socket, closedByServer: false };
    socket.on("data", () => {});
    socket.on("end", () => entry.closedByServer = true);
    socket.on("error", () => entry.closedByServer = true);
    await new Promise((resolve) => socket.once("connect", resolve).once("error", resolve));
    flood.push(entry);
  }
  return flood;
}

function openDescriptors(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** Sets the soft descriptor limit of a running process (the hard one stays as it is). */
async function prlimit(pid: number, soft: number): Promise<void> {
  const hard = Deno.readTextFileSync(`/proc/${pid}/limits`).match(/^Max open files\s+\S+\s+(\S+)/m)![1];
  const { success, stderr } = await new Deno.Command("prlimit", {
    args: ["--pid", String(pid), `--nofile=${Math.min(soft, Number(hard))}:${hard}`],
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
}

function hasPrlimit(): boolean {
  try {
    return new Deno.Command("prlimit", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}
