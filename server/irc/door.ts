/**
 * The IRC door: IRC clients (irssi, WeeChat, HexChat, The Lounge) in the room, which is one channel
 * (`#chat`). The accept loop, the connection limits (shared with the other doors), PROXY headers and
 * refusals are the line doors' own ({@link LineDoor}); each socket is one {@link IrcConnection}.
 *
 * @example
 * ```ts
 * import type { Room } from "../room/room.ts";
 * import { IrcDoor } from "./door.ts";
 * export async function serveIrc(room: Room): Promise<void> {
 *   const door = new IrcDoor(room, {
 *     sendq: 262_144, history: 20, registrationTimeoutMs: 60_000, pingMs: 60_000, channel: "#chat",
 *     serverName: "chat.server", network: "chat", floodBurst: 10, floodRate: 5,
 *     maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback",
 *   });
 *   console.log(`irc listening on ${door.listen(Deno.listen({ hostname: "127.0.0.1", port: 6667 }), "irc")}`);
 *   await door.shutdown();
 * }
 * ```
 */
import { ConnectionCaps } from "../io/caps.ts";
import { Flusher } from "../io/flusher.ts";
import { Counters } from "../ops/counters.ts";
import type { Room } from "../room/room.ts";
import { LineDoor, type LineDoorOptions } from "../tcp/door.ts";
import type { LineTransport } from "../tcp/transport.ts";
import { IrcConnection, type IrcHost, type IrcLabel, type IrcOptions } from "./connection.ts";
import { MAX_LINE_BYTES } from "./message.ts";
import { IrcRenderer } from "./render.ts";

export type IrcDoorOptions = Omit<IrcOptions, "maxLine"> & Omit<LineDoorOptions, "maxLine">;

export class IrcDoor extends LineDoor<IrcConnection, IrcLabel> implements IrcHost {
  readonly render: IrcRenderer;
  declare readonly options: IrcOptions & LineDoorOptions;

  constructor(
    room: Room,
    options: IrcDoorOptions,
    flusher: Flusher = new Flusher(),
    caps: ConnectionCaps = new ConnectionCaps(options),
    counters: Counters = new Counters(),
  ) {
    // Lines are read up to the most IRC allows (4096 bytes of tags and 510 of message); the rest is refused
    // by each connection, by what it negotiated.
    super(room, { ...options, maxLine: MAX_LINE_BYTES }, flusher, caps, counters);
    this.render = new IrcRenderer({
      channel: options.channel,
      serverName: options.serverName,
      doorOf: (name) => name === undefined ? undefined : room.members().find((member) => member.name === name)?.door,
    });
  }

  protected connect(transport: LineTransport, label: IrcLabel): IrcConnection {
    return new IrcConnection(transport, this, label);
  }

  /** `ERROR` with the reason; the refusal adds the `\n` after this line's `\r`. */
  protected refusalLine(error: string): string {
    return `ERROR :Closing Link: ${error}\r`;
  }

  protected goodbye(connection: IrcConnection): Promise<void> {
    return connection.closeWith("Closing Link: server shutting down");
  }
}
