/**
 * The Redis EventStore, for several instances sharing one room: the log is a Redis Stream.
 *
 * - One entry per batch: the lines a turn gathered are one `XADD` of one JSON array, so Redis, the
 *   connection and the reader pay per batch, not per event (at 100 members an entry per event cost Redis
 *   ~3.5 µs of CPU per message, half of what the instance had left on a shared core). An entry's stream id
 *   is `0-<position of its first event>`; it holds `n` events, numbered on from there, so an event's id is
 *   `<epoch>-<position>` as in the other stores and a position finds its entry with one `XREVRANGE`.
 * - Append: one Lua script call takes the next position from `{chat}:meta`, adds the entry and trims the
 *   stream (`MINID ~`), and returns the store's epoch (created once, so an emptied or replaced Redis gets a
 *   new one). Batches share the connection, pipelined, not one round trip after another.
 * - Delivery: one blocking `XREAD` loop per instance, on its own connection, from the last position it
 *   handed out; each reply is one publication. A Redis blip loses nothing, the loop catches up when Redis is
 *   back. This instance's own batch is handed out on the append's answer when it follows the last event
 *   handed out, else the loop brings it in its place: one order on every instance either way. Entries
 *   trimmed before this instance read them (it fell behind by more than `retain`) show as a hole in the
 *   numbering and are reported to the gap listeners, whose readers reset: never a silent hole.
 * - The room keeps `retain` events: `since`, `recent` and `before` never reach further back, whatever trimming (by
 *   whole entries, approximate) left in the stream. `since` from a position no longer kept, or never issued,
 *   gets `null` (the reader resets).
 * - Redis unreachable: `append` fails at once with {@link StoreUnavailable}; nothing is queued.
 *
 * @example
 * ```ts
 * import { connectRedis } from "../redis/client.ts";
 * import { RedisStore } from "./redis.ts";
 * export async function hello(url: string): Promise<void> { // e.g. "redis://127.0.0.1:6379"
 *   const store = await RedisStore.open(await connectRedis(url), { retain: 100_000 });
 *   store.subscribe((events) => console.log(events[0].id, events[0].text));
 *   await store.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "<epoch>-1 hello"
 *   await store.close();
 * }
 * ```
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";
import type { RedisLink } from "../redis/client.ts";
import { KEYS } from "../redis/keys.ts";
import { LuaScript } from "../redis/script.ts";
import { nextTurn, sleep } from "../async/deadline.ts";
import { Buckets } from "../ops/counters.ts";
import { errorFields, log } from "../ops/log.ts";
import { eventId, newEpoch, positionOf } from "./ids.ts";
import { StoreUnavailable } from "./store.ts";
import type { EventStore, Listener } from "./store.ts";
import { Subscribers } from "./subscribers.ts";

/** How long one XREAD waits for new entries before asking again. */
const BLOCK_MS = 5000;
/** Entries (batches) one XREAD hands over at most. */
const READ_COUNT = 64;
/** Entries one `since`/`recent` page reads: each holds at least one event, mostly one or a few. */
const PAGE_ENTRIES = 64;
/** After a failed XREAD (Redis gone), wait this long before the next try. */
const RETRY_MS = 250;
/**
 * Trimming removes whole entries: it keeps every entry that starts within `retain` + this of the newest
 * event, so the entry holding the oldest kept event (at most a batch long, see appender.ts) stays.
 */
const TRIM_SLACK = 1024;

/**
 * KEYS: log, meta. ARGV: retain, a new epoch (used only if Redis has none), the number of events, the
 * events as one JSON array. Numbers go through string.format: Lua would write 1e15 as "1e+15".
 */
const APPEND = new LuaScript(`
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
local first = tonumber(redis.call('HGET', KEYS[2], 'next') or '1')
local after = first + tonumber(ARGV[3])
local keep = math.max(0, after - tonumber(ARGV[1]) - ${TRIM_SLACK})
redis.call('XADD', KEYS[1], 'MINID', '~', string.format('0-%.0f', keep), string.format('0-%.0f', first),
  'n', ARGV[3], 'e', ARGV[4])
redis.call('HSET', KEYS[2], 'next', string.format('%.0f', after))
return {epoch, string.format('%.0f', first)}
`);

/**
 * KEYS: meta, log. ARGV: a new epoch, this instance's `retain`. Sets the epoch and how many events the room
 * keeps if this Redis has none yet; returns them and the next position. A stream of the earlier layout (one
 * entry per event, under time-based ids, `last` in meta) is renumbered in place, under a new epoch, so
 * its history stays and readers holding its old ids reset.
 */
const OPEN = new LuaScript(`
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
redis.call('HSETNX', KEYS[1], 'retain', ARGV[2])
if redis.call('HEXISTS', KEYS[1], 'last') == 1 then
  local entries = redis.call('XRANGE', KEYS[2], '-', '+')
  redis.call('DEL', KEYS[2])
  local position = 0
  for _, entry in ipairs(entries) do
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'e' then
        position = position + 1
        redis.call('XADD', KEYS[2], string.format('0-%.0f', position), 'n', '1', 'e', '[' .. fields[i + 1] .. ']')
      end
    end
  end
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'next', string.format('%.0f', position + 1))
  redis.call('HDEL', KEYS[1], 'last')
end
return {redis.call('HGET', KEYS[1], 'epoch'), redis.call('HGET', KEYS[1], 'next') or '1',
  redis.call('HGET', KEYS[1], 'retain')}
`);

/** A stream entry as Redis returns it: `0-<first position>` and its flat field list (`n`, `e`). */
type Entry = [id: string, fields: string[]];

export interface RedisStoreOptions {
  /**
   * Events the room keeps (at least: the stream trims by whole entries, approximately), if the room has no
   * number yet: the first instance's is the room's, kept in `{chat}:meta`, and every instance uses it.
   */
  retain: number;
  /** Where each append's round trip is observed (seconds); the server's counters in main.ts. */
  appendLatency?: Buckets;
}

export class RedisStore implements EventStore {
  #redis: RedisLink;
  #reader: RedisLink;
  #retain: number;
  #appendLatency: Buckets;
  #epoch: string;
  /** The position of the newest event handed to subscribers (0: none yet). */
  #last: number;
  #subscribers = new Subscribers();
  #closed = false;
  #tailing: Promise<void>;
  #resetListeners = new Set<() => void>();
  #gapListeners = new Set<(lastId: string) => void>();
  #foreignSeen = false;
  /** The stream id XREAD goes on after: the last entry read, handed out or skipped. */
  #readAfter: string | undefined;
  /** Appends on their way to Redis. */
  #appending = 0;
  /**
   * An answered append did not follow what was handed out (another instance's entries came between, or its
   * answer was lost): the stream holds entries only the reader can bring.
   */
  #behind = false;
  /** Wakes the reader when it paused (see {@link RedisStore.#tail}). */
  #wake: (() => void) | undefined;

  /** Opens the store on `redis`, with a second connection of its own for the blocking read. */
  static async open(redis: RedisLink, options: RedisStoreOptions): Promise<RedisStore> {
    const [epoch, next, kept] = await OPEN.run(redis, [KEYS.meta, KEYS.log], [
      newEpoch(),
      String(options.retain),
    ]) as string[];
    const retain = Number(kept);
    if (retain !== options.retain) {
      log.warn("store.retain_is_the_rooms", { asked: options.retain, room: retain });
    }
    return new RedisStore(redis, await redis.duplicate(), epoch, Number(next) - 1, { ...options, retain });
  }

  private constructor(redis: RedisLink, reader: RedisLink, epoch: string, last: number, options: RedisStoreOptions) {
    this.#redis = redis;
    this.#reader = reader;
    this.#epoch = epoch;
    this.#last = last;
    this.#retain = options.retain;
    this.#appendLatency = options.appendLatency ?? new Buckets([]);
    this.#tailing = this.#tail();
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** How many events the room keeps: the first instance's `--retain`, the same for every instance. */
  get retain(): number {
    return this.#retain;
  }

  async append(event: NewEvent): Promise<RoomEvent> {
    return (await this.appendAll([event]))[0];
  }

  /** One entry, so the batch is stored whole or not at all. */
  async appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]> {
    let reply: string[];
    const started = performance.now();
    this.#appending++;
    try {
      reply = await APPEND.run(this.#redis, [KEYS.log, KEYS.meta], [
        String(Math.max(1, this.#retain)),
        newEpoch(),
        String(events.length),
        JSON.stringify(events),
      ]) as string[];
    } catch (error) {
      this.#settled(false);
      throw new StoreUnavailable(`Redis: ${error instanceof Error ? error.message : error}`);
    }
    this.#appendLatency.observe((performance.now() - started) / 1000);
    const [epoch, first] = reply;
    if (epoch !== this.#epoch) this.#noticeEpoch(epoch);
    const position = Number(first);
    const stored = events.map((event, i) => ({ ...event, id: eventId(epoch, position + i) }));
    const follows = position === this.#last + 1;
    if (follows) this.#handOut(stored, position);
    this.#settled(follows || position <= this.#last);
    return stored;
  }

  /** An append is answered (`inOrder`: nothing it leaves unread) or failed: the reader may have to go on. */
  #settled(inOrder: boolean): void {
    this.#appending--;
    if (!inOrder) this.#behind = true;
    if (this.#appending === 0 || this.#behind) this.#wake?.();
  }

  /**
   * This instance's own batch, handed out as soon as Redis answers when nothing in the stream comes before
   * it unread: the XREAD reply bringing it back then only moves the cursor. A batch that follows entries
   * not read yet (another instance's) waits for the reader, which hands everything out in stream order.
   */
  #handOut(events: RoomEvent[], position: number): void {
    this.#last = position + events.length - 1;
    if (this.#readAfter === undefined || this.#readAfter.startsWith("0-")) this.#readAfter = `0-${position}`;
    this.#subscribers.publish(events);
  }

  async since(id: string, limit: number): Promise<RoomEvent[] | null> {
    const after = positionOf(id, this.#epoch);
    if (after === undefined) return null;
    const newest = await this.#newest();
    if (after > newest || after < newest - this.#retain) return null;
    if (after === newest || limit <= 0) return [];
    const events = await this.#range(after + 1, Math.min(newest, after + limit) + 1);
    // Trimmed under us (a batch longer than the trimming slack): what follows `after` is no longer all there.
    return events.length > 0 && this.#position(events[0]) === after + 1 ? events : null;
  }

  async recent(limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    const newest = await this.#newest();
    return await this.#range(Math.max(1, newest - this.#retain + 1, newest - limit + 1), newest + 1);
  }

  /** The newest `limit` events before `id`, oldest first; like `recent`, never past the newest `retain`. */
  async before(id: string, limit: number): Promise<RoomEvent[] | null> {
    const position = positionOf(id, this.#epoch);
    if (position === undefined) return null;
    const newest = await this.#newest();
    if (position > newest) return null;
    return await this.#range(Math.max(1, newest - this.#retain + 1, position - Math.max(0, limit)), position);
  }

  /** The position of the newest event stored (0: none yet). */
  async #newest(): Promise<number> {
    return Number(await this.#redis.sendCommand(["HGET", KEYS.meta, "next"]) ?? 1) - 1;
  }

  /**
   * The events at positions `from` up to `below` (excluded) that the stream holds, oldest first: read back from
   * the entry holding `below - 1`, a page of entries at a time, to the entry holding `from`.
   */
  async #range(from: number, below: number): Promise<RoomEvent[]> {
    if (from >= below) return [];
    const pages: RoomEvent[][] = [];
    let cursor = `0-${below - 1}`;
    for (;;) {
      const entries = await this.#redis.sendCommand(
        ["XREVRANGE", KEYS.log, cursor, "-", "COUNT", String(PAGE_ENTRIES)],
      ) as Entry[];
      for (const entry of entries) pages.push(this.#decode(entry));
      if (entries.length < PAGE_ENTRIES || start(entries.at(-1)!) <= from) break;
      cursor = `(${entries.at(-1)![0]}`;
    }
    return pages.reverse().flat().filter((event) => {
      const at = this.#position(event);
      return at >= from && at < below;
    });
  }

  lastId(): string {
    return eventId(this.#epoch, this.#last);
  }

  subscribe(listener: Listener): () => void {
    return this.#subscribers.subscribe(listener);
  }

  ready(): string | undefined {
    if (this.#closed) return "store closed";
    return this.#redis.ready ? undefined : "redis unreachable";
  }

  /** Calls `listener` when the store's epoch changes under it (Redis emptied or replaced). */
  onReset(listener: () => void): () => void {
    this.#resetListeners.add(listener);
    return () => this.#resetListeners.delete(listener);
  }

  onGap(listener: (lastId: string) => void): () => void {
    this.#gapListeners.add(listener);
    return () => this.#gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.destroy();
    this.#wake?.();
    await this.#tailing;
  }

  /**
   * The one blocking read loop: every entry after the last one handed out, in order. While this instance's
   * appends are on their way and each answer followed the last (it is the only writer), it pauses: the
   * answers hand those entries out, and an XREAD would only bring them back (at 12 M deliveries/s and 100
   * members, 2,876 XREAD replies for 3,520 appends of ~24 KB). Another writer's entry shows as an answer that
   * does not follow, and the reader goes on at once; so does it when the appends stop.
   */
  async #tail(): Promise<void> {
    let failing = false;
    while (!this.#closed) {
      if (this.#appending > 0 && !this.#behind && !failing) {
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#wake = undefined;
        // The appender sends what waited for this answer right after it: look again once that is on its way.
        await nextTurn();
        continue;
      }
      this.#behind = false;
      try {
        if (failing) await this.#checkEpoch();
        const reply = await this.#reader.sendCommand(
          [
            "XREAD",
            "COUNT",
            String(READ_COUNT),
            "BLOCK",
            String(BLOCK_MS),
            "STREAMS",
            KEYS.log,
            this.#readAfter ?? `0-${this.#last}`,
          ],
          { timeout: BLOCK_MS + 5000 },
        ) as [string, Entry[]][] | null;
        if (failing) log.info("store.redis_back");
        failing = false;
        this.#deliver(reply?.[0]?.[1] ?? []);
      } catch (error) {
        if (this.#closed) return;
        if (!failing) log.error("store.redis_unreachable", errorFields(error));
        failing = true;
        await sleep(RETRY_MS);
      }
    }
  }

  /** One XREAD reply as one publication, split where entries were trimmed before this instance read them. */
  #deliver(entries: Entry[]): void {
    let batch: RoomEvent[] = [];
    for (const entry of entries) {
      this.#readAfter = entry[0];
      const first = start(entry);
      if (!entry[0].startsWith("0-") || !Number.isSafeInteger(first)) {
        // Written by an instance of the earlier layout still running: see the README's "Upgrades".
        if (!this.#foreignSeen) log.error("store.foreign_entry", { id: entry[0] });
        this.#foreignSeen = true;
        continue;
      }
      if (first <= this.#last) continue;
      if (first !== this.#last + 1) {
        log.warn("store.trimmed_unread", { after: this.#last, before: first });
        this.#subscribers.publish(batch);
        batch = [];
        const lastId = this.lastId();
        for (const listener of this.#gapListeners) listener(lastId);
      }
      const events = this.#decode(entry);
      this.#last = first + events.length - 1;
      batch = batch.length === 0 ? events : batch.concat(events);
    }
    this.#subscribers.publish(batch);
  }

  /** After Redis was away: the same epoch, or a new one (Redis emptied), from which reading starts over. */
  async #checkEpoch(): Promise<void> {
    const [epoch] = await OPEN.run(this.#redis, [KEYS.meta, KEYS.log], [newEpoch(), String(this.#retain)]) as string[];
    if (epoch !== this.#epoch) this.#noticeEpoch(epoch);
  }

  #noticeEpoch(epoch: string): void {
    if (epoch === this.#epoch) return;
    log.warn("store.new_epoch", { epoch, was: this.#epoch });
    this.#epoch = epoch;
    this.#last = 0;
    this.#readAfter = undefined;
    for (const listener of this.#resetListeners) listener();
  }

  /** An entry's events, with their ids. */
  #decode(entry: Entry): RoomEvent[] {
    const first = start(entry);
    const events = JSON.parse(field(entry[1], "e") ?? "[]") as NewEvent[];
    return events.map((event, i) => ({ ...event, id: eventId(this.#epoch, first + i) }));
  }

  #position(event: RoomEvent): number {
    return Number(event.id.slice(this.#epoch.length + 1));
  }
}

/** The position of an entry's first event: its stream id is `0-<position>`. */
function start([id]: Entry): number {
  return Number(id.slice(2));
}

/** The value of `name` in a stream entry's flat field list. */
function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
