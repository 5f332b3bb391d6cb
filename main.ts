/**
 * The chat service: one room, three doors (TCP, web, and IRC when asked for). Reads the config, opens the store and the directory, builds the
 * Room, starts the TCP door (plain and TLS ports) and the web door, serves the metrics, and shuts down
 * cleanly on Ctrl-C / SIGTERM. SIGHUP rereads the TLS files; SIGUSR1 backs up the SQLite file.
 */
import { ConfigError, parseConfig, usage } from "./server/config.ts";
import type { Config } from "./server/config.ts";
import { ConnectionCaps } from "./server/io/caps.ts";
import { fdProblem, raiseFdLimit } from "./server/io/fd_limit.ts";
import { Flusher } from "./server/io/flusher.ts";
import { loadTlsFiles } from "./server/io/tls_files.ts";
import { openBackend } from "./server/backend.ts";
import { Room } from "./server/room/room.ts";
import { errorFields, log } from "./server/ops/log.ts";
import { watchLoopLag } from "./server/ops/loop_lag.ts";
import { Counters } from "./server/ops/counters.ts";
import { Metrics } from "./server/ops/metrics.ts";
import { type MetricsServer, startMetricsServer } from "./server/ops/metrics_server.ts";
import { TcpDoor } from "./server/tcp/door.ts";
import { TlsPort } from "./server/tcp/tls_port.ts";
import { WebDoor } from "./server/web/door.ts";
import { startHttp } from "./server/web/http.ts";
import { TrustedProxies } from "./server/net/trusted_proxies.ts";
import { IrcDoor } from "./server/irc/door.ts";

export interface Service {
  /** Rereads the TLS files for new connections (SIGHUP); members stay. */
  reload(): Promise<void>;
  /** Copies the SQLite file beside it while the room runs (SIGUSR1), and logs where. */
  backup(): void;
  shutdown(): Promise<void>;
}

/**
 * Starts everything the config asks for; prints where each door listens, then `ready`. Refuses to start
 * (throws) when the connection limits do not fit in the process's file descriptor limit.
 */
export async function startService(config: Config): Promise<Service> {
  // Read and checked once, before anything is opened: bad files are refused here, good ones serve both doors.
  const tlsFiles = config.tlsCert === ""
    ? undefined
    : { certFile: config.tlsCert, keyFile: config.tlsKey, hostname: config.host };
  const tlsLoaded = tlsFiles && { files: tlsFiles, pair: loadTlsFiles(tlsFiles) };
  const limits = await raiseFdLimit();
  const problem = limits && fdProblem(config.maxConnections, limits);
  if (problem) throw new Error(problem);
  // What the server counts, made here and handed to what counts: two servers in one process stay apart.
  const counters = new Counters();
  const metrics = new Metrics(counters);
  const backend = await openBackend(config, counters.storeAppend);
  const room = new Room(backend.store, backend.directory, {
    maxMessageBytes: config.maxLine,
    floodBurst: config.floodBurst,
    floodRate: config.floodRate,
    history: config.history,
  }, backend.receipts);
  await room.open();
  console.log(`room on ${backend.description}`);
  const flusher = new Flusher({ backlogHigh: config.backlog });
  const limitsOptions = {
    maxPerAddress: config.maxPerAddress,
    maxConnections: config.maxConnections,
    exempt: config.exempt,
    proxies: TrustedProxies.parse(config.trustProxy),
  };
  // One count for both doors: every TCP socket and every HTTP connection.
  const caps = new ConnectionCaps(limitsOptions);
  const web = new WebDoor(
    room,
    {
      sendq: config.sendq,
      graceMs: config.graceMs,
      heartbeatMs: config.heartbeatMs,
      registrationTimeoutMs: config.registrationTimeoutMs,
    },
    flusher,
    caps,
    backend.sessions,
    counters,
  );
  const http = await startHttp(room, web, config, caps, { tls: tlsLoaded, metrics });
  // What every line door (TCP, IRC) takes alike.
  const lineDoorOptions = {
    sendq: config.sendq,
    history: config.history,
    registrationTimeoutMs: config.registrationTimeoutMs,
    ...limitsOptions,
    proxyProtocol: config.proxyProtocol,
    headerTimeoutMs: config.headerTimeoutMs,
    // Descriptors ran out: whatever took them, the web door's accept may have stopped too.
    onAcceptError: () => http.checkAccept(),
  };
  const tcp = new TcpDoor(room, { ...lineDoorOptions, maxLine: config.maxLine }, flusher, caps, counters);
  if (!config.noPlainTcp) {
    const plain = Deno.listen({ hostname: config.host, port: config.tcpPort, transport: "tcp" });
    console.log(`tcp listening on ${tcp.listen(plain, "tcp")}`);
  }
  let tls: TlsPort | undefined;
  if (tlsLoaded) {
    tls = new TlsPort(tcp, { ...tlsLoaded.files, port: config.tlsPort }, tlsLoaded.pair);
    console.log(`tls listening on ${tls.address}`);
  }
  let irc: IrcDoor | undefined;
  let ircTls: TlsPort | undefined;
  if (config.ircPort !== undefined || config.ircTlsPort !== undefined) {
    irc = new IrcDoor(
      room,
      {
        ...lineDoorOptions,
        pingMs: config.ircPingMs,
        channel: config.ircChannel,
        serverName: "chat.server",
        network: "chat",
        floodBurst: config.floodBurst,
        floodRate: config.floodRate,
      },
      flusher,
      caps,
      counters,
    );
    if (config.ircPort !== undefined) {
      const plain = Deno.listen({ hostname: config.host, port: config.ircPort, transport: "tcp" });
      console.log(`irc listening on ${irc.listen(plain, "irc")}`);
    }
    if (tlsLoaded && config.ircTlsPort !== undefined) {
      ircTls = new TlsPort(irc, { ...tlsLoaded.files, port: config.ircTlsPort }, tlsLoaded.pair, "ircs");
      console.log(`ircs listening on ${ircTls.address}`);
    }
  }
  console.log(`http listening on ${http.url}`);
  metrics.watch({
    members: () => room.members(),
    backlog: flusher.backlog,
    pending: room.pending,
    ready: () => web.ready(),
  });
  const stopLagWatch = watchLoopLag(counters.loopLag);
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    metricsServer = await startMetricsServer({
      hostname: config.metricsHost,
      port: config.metricsPort,
      ready: () => web.ready(),
      metrics,
    });
    console.log(`metrics listening on ${metricsServer.url}`);
  }
  console.log("ready");
  return {
    async reload() {
      http.reload();
      if (tls) await tls.reload();
      if (ircTls) await ircTls.reload();
    },
    backup() {
      if (!backend.backup) return log.warn("store.backup_unsupported", { store: backend.description });
      try {
        const { path, bytes, ms } = backend.backup();
        log.info("store.backup", { path, bytes, ms: Math.round(ms) });
      } catch (error) {
        log.error("store.backup_error", errorFields(error));
      }
    },
    async shutdown() {
      stopLagWatch();
      await Promise.all([tcp.shutdown(), web.shutdown(), irc?.shutdown()]);
      await metricsServer?.close();
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
  log.configure({ format: config.logFormat, level: config.logLevel });
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
  // Only with TLS: otherwise a hang-up ends the server as it always did.
  if (config.tlsCert !== "") Deno.addSignalListener("SIGHUP", () => void service.reload());
  Deno.addSignalListener("SIGUSR1", () => service.backup());
}
