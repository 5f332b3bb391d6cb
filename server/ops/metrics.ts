/**
 * `GET /metrics` in Prometheus' text format (prom-client). Nothing here runs while the room works: every
 * metric reads the plain {@link Counters} it is given, or asks its source, when it is scraped. main.ts makes
 * one registry for the server and tells it where the room and the backlog are.
 *
 * prom-client's default collectors are not used: under Deno their heap figure is the process's virtual
 * data size and the handle counts are empty. The few process figures worth having are read here, and the
 * event-loop lag comes from our own timer (loop_lag.ts).
 *
 * @example
 * ```ts
 * import type { Flusher } from "../io/flusher.ts";
 * import type { Room } from "../room/room.ts";
 * import type { WebDoor } from "../web/door.ts";
 * import { Metrics } from "./metrics.ts";
 * export async function scrape(room: Room, flusher: Flusher, web: WebDoor): Promise<Response> {
 *   const metrics = new Metrics(web.counters);
 *   const pending = room.pending;
 *   metrics.watch({ members: () => room.members(), backlog: flusher.backlog, pending, ready: () => web.ready() }); // once
 *   return new Response(await metrics.text(), { headers: { "Content-Type": metrics.contentType } });
 * }
 * ```
 */
import process from "node:process";
import { Counter, Gauge, type Metric, Registry } from "prom-client";
import { DOORS } from "../../common/doors.ts";
import { type Buckets, Counters, DOOR_LABELS, type DoorCounters } from "./counters.ts";

export interface MetricSources {
  /** Who is present in the room (on every instance), with their doors. */
  members(): readonly { door: string }[];
  /** The server's own write backlog (server/async/backlog.ts). */
  backlog: { readonly bytes: number; readonly paused: boolean; readonly pauses: number };
  /** The room's lines taken but not yet stored and delivered here (server/room/appender.ts). */
  pending: { readonly bytes: number; readonly pauses: number };
  /** Why the room cannot take messages now, or undefined when it can. */
  ready(): string | undefined;
}

const START_SECONDS = Math.round(Date.now() / 1000 - performance.now() / 1000);

export class Metrics {
  readonly registry = new Registry();
  #sources: MetricSources | undefined;

  /** `counters`: the numbers this server keeps (see counters.ts). */
  constructor(counters: Counters = new Counters()) {
    const sources = () => this.#sources;
    const register = [this.registry];
    const perDoor = (name: string, help: string, value: (door: DoorCounters) => number) =>
      new Counter({
        name,
        help,
        labelNames: ["door"],
        registers: register,
        collect() {
          this.reset();
          for (const door of DOOR_LABELS) this.inc({ door }, value(counters[door]));
        },
      });

    new Gauge({
      name: "chat_room_members",
      help: "Members present in the room, on every instance, by the door they came through.",
      labelNames: ["door"],
      registers: register,
      collect() {
        const byDoor: Record<string, number> = Object.fromEntries(DOORS.map((door) => [door, 0]));
        for (const member of sources()?.members() ?? []) byDoor[member.door] = (byDoor[member.door] ?? 0) + 1;
        for (const [door, count] of Object.entries(byDoor)) this.set({ door }, count);
      },
    });
    new Gauge({
      name: "chat_connections_open",
      help: "Connections open on this instance: TCP sockets (plain, TLS) and web event streams.",
      labelNames: ["door"],
      registers: register,
      collect() {
        for (const door of DOOR_LABELS) this.set({ door }, counters[door].open);
      },
    });
    perDoor(
      "chat_connections_accepted_total",
      "Connections let in: TCP sockets (plain, TLS) and HTTP connections.",
      (door) => door.accepted,
    );
    new Counter({
      name: "chat_connections_refused_total",
      help: "Connections refused by the connection limits: too many from the address, or the server full.",
      labelNames: ["door", "reason"],
      registers: register,
      collect() {
        this.reset();
        for (const door of DOOR_LABELS) {
          for (const [reason, count] of Object.entries(counters[door].refused)) this.inc({ door, reason }, count);
        }
      },
    });
    perDoor("chat_messages_received_total", "Messages (and actions) members sent into the room.", (d) => d.messagesIn);
    perDoor("chat_events_delivered_total", "Events handed to readers (live and replayed).", (d) => d.deliveries);
    perDoor("chat_bytes_sent_total", "Bytes the sockets and streams took.", (door) => door.bytesOut);
    perDoor("chat_slow_readers_cut_off_total", "Readers cut off for not taking their bytes.", (d) => d.slowCutoffs);
    perDoor(
      "chat_flood_pauses_total",
      "Lines held back (TCP) or refused (web 429) by the flood limit.",
      (d) => d.floodPauses,
    );
    new Counter({
      name: "chat_sse_resumes_total",
      help: "Event streams reopened by a browser with Last-Event-ID.",
      registers: register,
      collect() {
        this.reset();
        this.inc(counters.sseResumes);
      },
    });
    new Counter({
      name: "chat_sse_resets_total",
      help: "Reset events sent: a stream asked for a gap older than the history kept.",
      registers: register,
      collect() {
        this.reset();
        this.inc(counters.sseResets);
      },
    });
    this.registry.registerMetric(histogram(
      "chat_store_append_seconds",
      "From an append until the event is stored (SQLite: in the file; Redis: the round trip).",
      counters.storeAppend,
    ));
    this.registry.registerMetric(histogram(
      "chat_event_loop_lag_seconds",
      "How late the event loop ran a timer set for every 500 ms.",
      counters.loopLag,
    ));
    new Gauge({
      name: "chat_backlog_bytes",
      help: "Bytes queued for sockets that take them: the server's own delay. Input pauses when it is high.",
      registers: register,
      collect() {
        this.set(sources()?.backlog.bytes ?? 0);
      },
    });
    new Gauge({
      name: "chat_backlog_paused",
      help: "1 while input is paused because the server is behind on its writes (overload).",
      registers: register,
      collect() {
        this.set(sources()?.backlog.paused ? 1 : 0);
      },
    });
    new Counter({
      name: "chat_backlog_pauses_total",
      help: "Times input was paused because the server was behind on its writes.",
      registers: register,
      collect() {
        this.reset();
        this.inc(sources()?.backlog.pauses ?? 0);
      },
    });
    new Gauge({
      name: "chat_pending_lines",
      help: "Lines taken but not yet stored and read back here. Input pauses when it is high (the store is ahead).",
      registers: register,
      collect() {
        this.set(sources()?.pending.bytes ?? 0);
      },
    });
    new Counter({
      name: "chat_pending_pauses_total",
      help: "Times input was paused because too many lines were not yet stored and read back.",
      registers: register,
      collect() {
        this.reset();
        this.inc(sources()?.pending.pauses ?? 0);
      },
    });
    new Gauge({
      name: "chat_ready",
      help: "1 while the room can take messages (see /readyz).",
      registers: register,
      collect() {
        this.set(sources() && sources()!.ready() === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes.",
      registers: register,
      collect() {
        this.set(Deno.memoryUsage().rss);
      },
    });
    new Gauge({
      name: "process_heap_used_bytes",
      help: "JavaScript heap in use, in bytes.",
      registers: register,
      collect() {
        this.set(Deno.memoryUsage().heapUsed);
      },
    });
    new Counter({
      name: "process_cpu_seconds_total",
      help: "User and system CPU time spent, in seconds.",
      registers: register,
      collect() {
        const { user, system } = process.cpuUsage();
        this.reset();
        this.inc((user + system) / 1e6);
      },
    });
    new Gauge({
      name: "process_start_time_seconds",
      help: "Start time of the process since the Unix epoch, in seconds.",
      registers: register,
      collect() {
        this.set(START_SECONDS);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where the room-wide figures come from (until then they read 0). */
  watch(sources: MetricSources): void {
    this.#sources = sources;
  }

  /** The exposition text, as of now. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A Prometheus histogram read from plain {@link Buckets} at scrape time (prom-client's only takes observe()). */
function histogram(name: string, help: string, buckets: Buckets): Metric {
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get() {
      let cumulative = 0;
      const values = buckets.counts.map((count, i) => {
        cumulative += count;
        const le = i < buckets.bounds.length ? buckets.bounds[i] : "+Inf";
        return { labels: { le }, value: cumulative, metricName: `${name}_bucket` };
      });
      values.push(
        { labels: {} as { le: number }, value: buckets.sum, metricName: `${name}_sum` },
        { labels: {} as { le: number }, value: buckets.count, metricName: `${name}_count` },
      );
      return Promise.resolve({ name, help, type: "histogram", aggregator: "sum", values });
    },
  };
  return metric as unknown as Metric;
}
