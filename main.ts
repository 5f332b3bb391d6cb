/**
 * The chat service: one room, two doors. Reads the config, opens the store and the directory, builds the
 * Room, starts the TCP door and the web door, and shuts down cleanly on Ctrl-C / SIGTERM.
 */
import { ConfigError, parseConfig, usage } from "./server/config.ts";
import type { Config } from "./server/config.ts";
import { ConnectionCaps } from "./server/io/caps.ts";
import { fdProblem, raiseFdLimit } from "./server/io/fd_limit.ts";
import { Flusher } from "./server/io/flusher.ts";
import { openBackend } from "./server/backend.ts";
import { Room } from "./server/room/room.ts";
import { TcpDoor } from "./server/tcp/door.ts";
import { WebDoor } from "./server/web/door.ts";
import { startHttp } from "./server/web/http.ts";

export interface Service {
  shutdown(): Promise<void>;
}

/**
 * Starts everything the config asks for; prints where each door listens, then `ready`. Refuses to start
 * (throws) when the connection limits do not fit in the process's file descriptor limit.
 */
export async function startService(config: Config): Promise<Service> {
  const limits = await raiseFdLimit();
  const problem = limits && fdProblem(config.maxConnections, limits);
  if (problem) throw new Error(problem);
  const backend = await openBackend(config);
  const room = new Room(backend.store, backend.directory, {
    maxMessageBytes: config.maxLine,
    floodBurst: config.floodBurst,
    floodRate: config.floodRate,
    history: config.history,
  });
  await room.open();
  console.log(`room on ${backend.description}`);
  const flusher = new Flusher({ backlogHigh: config.backlog });
  const limitsOptions = {
    maxPerAddress: config.maxPerAddress,
    maxConnections: config.maxConnections,
    exempt: config.exempt,
  };
  // One count for both doors: every TCP socket and every HTTP connection.
  const caps = new ConnectionCaps(limitsOptions);
  const web = new WebDoor(room, {
    sendq: config.sendq,
    graceMs: config.grace * 1000,
    heartbeatMs: config.heartbeat * 1000,
    registrationTimeoutMs: config.registrationTimeout * 1000,
    ...limitsOptions,
  }, flusher);
  const http = await startHttp(room, web, config, caps);
  const tcp = new TcpDoor(
    room,
    {
      hostname: config.host,
      port: config.tcpPort,
      maxLine: config.maxLine,
      sendq: config.sendq,
      history: config.history,
      registrationTimeoutMs: config.registrationTimeout * 1000,
      ...limitsOptions,
      // Descriptors ran out: whatever took them, the web door's accept may have stopped too.
      onAcceptError: () => http.checkAccept(),
    },
    flusher,
    caps,
  );
  console.log(`tcp listening on ${tcp.address}`);
  console.log(`http listening on ${http.url}`);
  console.log("ready");
  return {
    async shutdown() {
      await Promise.all([tcp.shutdown(), web.shutdown()]);
      await http.shutdown();
      room.close();
      await backend.close();
    },
  };
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(usage());
    Deno.exit(0);
  }
  let config: Config;
  try {
    config = parseConfig(Deno.args, Deno.env.toObject());
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof TypeError)) {
      throw error;
    }
    console.error(`error: ${error.message}\n\n${usage()}`);
    Deno.exit(2);
  }
  let service: Service;
  try {
    service = await startService(config);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("shutting down");
    await service.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
