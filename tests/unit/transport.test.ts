/**
 * The TCP door's connection speaks the chat over any {@link LineTransport}: here one in memory, with no
 * socket at all, the way a new transport (a WebSocket, say) would plug in.
 */
import assert from "node:assert/strict";
import { Connection, WELCOME } from "../../server/tcp/connection.ts";
import { TcpDoor } from "../../server/tcp/door.ts";
import { MemoryTransport } from "../helpers/memory_transport.ts";
import { testRoom } from "../helpers/room.ts";

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
  transport.type("Ana");
  await transport.until("* Ana joined the chat\n");
  transport.type("hello", "/who");
  await transport.until("  Ana (tcp)\n");
  assert.ok(transport.written.indexOf("Ana: hello\n") < transport.written.indexOf("1 online:"));
  transport.type("/quit");
  await transport.until("Goodbye!\n");
  await running;
  for (let i = 0; i < 100 && !transport.closed; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(transport.closed, "the connection closes its transport after its last words");
  assert.deepEqual(room.members(), []);
  await door.shutdown();
});
