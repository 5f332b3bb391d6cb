/**
 * The bare Deno baseline: the same TCP protocol as the chat server (greeting, name, `* NAME joined the
 * chat`, then `NAME: text` to everyone) with nothing else — no limits, no history, no web, no log.
 * Writes go out in rounds (one coalesced write per socket per round), the scheduling the real server uses.
 *
 * @example
 * ```sh
 * deno run --allow-net bench/baseline/fanout.ts 60001   # prints "ready PORT"
 * ```
 */
import { concat } from "../../server/io/bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const GREETING = encoder.encode("Welcome to the chatroom! Enter your name:\n");

class Client {
  name = "";
  queue: Uint8Array[] = [];
  queued = 0;
  writing = false;
  carry = "";
  constructor(readonly conn: Deno.TcpConn) {}
}

const joined = new Set<Client>();
const dirty = new Set<Client>();
let flushing = false;

function send(client: Client, bytes: Uint8Array): void {
  client.queue.push(bytes);
  client.queued += bytes.length;
  dirty.add(client);
  if (!flushing) {
    flushing = true;
    queueMicrotask(rounds);
  }
}

function broadcast(line: string): void {
  const bytes = encoder.encode(line);
  for (const client of joined) send(client, bytes);
}

async function rounds(): Promise<void> {
  while (dirty.size > 0) {
    const writes: Promise<unknown>[] = [];
    for (const client of dirty) {
      if (client.writing || client.queue.length === 0) continue;
      const bytes = client.queue.length === 1 ? client.queue[0] : concat(client.queue, client.queued);
      client.queue = [];
      client.queued = 0;
      client.writing = true;
      writes.push(writeAll(client.conn, bytes).catch(() => {}).finally(() => client.writing = false));
    }
    dirty.clear();
    await Promise.all(writes);
    for (const client of joined) if (client.queue.length > 0) dirty.add(client);
  }
  flushing = false;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

async function serve(conn: Deno.TcpConn): Promise<void> {
  const client = new Client(conn);
  send(client, GREETING);
  const buffer = new Uint8Array(16384);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      const lines = (client.carry + decoder.decode(buffer.subarray(0, n))).split("\n");
      client.carry = lines.pop()!;
      let out = "";
      for (const raw of lines) {
        const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
        if (!client.name) {
          client.name = line.trim();
          joined.add(client);
          broadcast(`* ${client.name} joined the chat\n`);
        } else {
          out += `${client.name}: ${line}\n`;
        }
      }
      if (out) broadcast(out);
    }
  } catch {
    // reset by peer: the same as a close
  }
  joined.delete(client);
  dirty.delete(client);
  try {
    conn.close();
  } catch {
    // already closed
  }
  if (client.name) broadcast(`* ${client.name} left the chat\n`);
}

if (import.meta.main) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(Deno.args[0] ?? 0) });
  console.log(`ready ${listener.addr.port}`);
  for await (const conn of listener) serve(conn);
}
