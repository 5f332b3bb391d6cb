/**
 * The TCP door's connection speaks the chat over any {@link LineTransport}: here one in memory, with no
 * socket at all, the way a new transport (a WebSocket, say) would plug in.
 */
import assert from "node:assert/strict";
import { Connection, WELCOME } from "../../server/tcp/connection.ts";
import { TcpDoor } from "../../server/tcp/door.ts";
import type { LineItem } from "../../server/tcp/line_reader.ts";
import type { LineTransport } from "../../server/tcp/transport.ts";
import { testRoom } from "../helpers/room.ts";

/** A transport in memory: the test types lines; what the connection writes is kept as text. */
class MemoryTransport implements LineTransport {
  readonly address = "192.0.2.1";
  readonly port = 4242;
  written = "";
  closed = false;
  #typed: (LineItem[] | null)[] = [];
  #waiting: ((items: LineItem[] | null) => void) | undefined;

  handshake(): Promise<void> {
    return Promise.resolve();
  }
  readLines(): Promise<LineItem[] | null> {
    const next = this.#typed.shift();
    if (next !== undefined) return Promise.resolve(next);
    return new Promise((resolve) => this.#waiting = resolve);
  }
  endLines(): LineItem[] {
    return [];
  }
  write(bytes: Uint8Array): Promise<number> {
    this.written += new TextDecoder().decode(bytes);
    return Promise.resolve(bytes.length);
  }
  close(): void {
    this.closed = true;
    this.type(null);
  }
  /** The peer sends `lines` in one read (null: it ends its side). */
  type(lines: string[] | null): void {
    const items = lines && lines.map((line) => ({ line }));
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve(items);
    } else {
      this.#typed.push(items);
    }
  }
  async until(text: string): Promise<void> {
    for (let i = 0; i < 200 && !this.written.includes(text); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(this.written.includes(text), `expected ${JSON.stringify(text)} in ${JSON.stringify(this.written)}`);
  }
}

Deno.test("a connection over a transport in memory greets, takes a name, and carries the chat both ways", async () => {
  const { room } = testRoom({ maxMessageBytes: 2048 });
  const door = new TcpDoor(room, {
    maxLine: 2048,
    sendq: 65_536,
    history: 20,
    registrationTimeoutMs: 60_000,
    maxPerAddress: 16,
    maxConnections: 100,
    exempt: "none",
  });
  const transport = new MemoryTransport();
  const connection = new Connection(transport, door, "tcp");
  assert.equal(connection.address, "192.0.2.1", "the transport names the peer");
  const running = connection.run();
  await transport.until(WELCOME);
  transport.type(["Ana"]);
  await transport.until("* Ana joined the chat\n");
  transport.type(["hello", "/who"]);
  await transport.until("  Ana (tcp)\n");
  assert.ok(transport.written.indexOf("Ana: hello\n") < transport.written.indexOf("1 online:"));
  transport.type(["/quit"]);
  await transport.until("Goodbye!\n");
  await running;
  for (let i = 0; i < 100 && !transport.closed; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(transport.closed, "the connection closes its transport after its last words");
  assert.deepEqual(room.members(), []);
  await door.shutdown();
});
