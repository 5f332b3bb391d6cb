/**
 * A reader's ordered stream: what it missed (or its history), then live events, each once, in order.
 *
 * The reader holds live events (in the {@link Fanout}) from the start, then replays from the store a page
 * at a time, each event once the reader has room for it (so a replay streams at the reader's pace and
 * never overflows its queue). When the store has nothing more, the held events after the
 * replay's last id are released and the reader is live. If the hold overflowed meanwhile, the reader
 * catches up from the store again from where it is, so memory stays bounded by a page and a hold.
 *
 * @example
 * ```ts
 * import type { EventStore } from "../store/store.ts";
 * import type { Fanout } from "./fanout.ts";
 * import { listen } from "./listen.ts";
 * import type { Reader } from "./reader.ts";
 * export function resume(store: EventStore, fanout: Fanout, reader: Reader, lastEventId: string): void {
 *   const stop = listen(store, fanout, reader, { after: lastEventId }, { history: 20 }, console.error);
 *   stop(); // the reader is gone: its replay ends, it gets nothing more
 * }
 * ```
 */
import type { EventStore } from "../store/store.ts";
import { isVisibleTo, type RoomEvent } from "./events.ts";
import type { Fanout } from "./fanout.ts";
import type { From, Reader } from "./reader.ts";

/** Events read from the store at a time. */
export const PAGE = 64;

export interface ListenOptions {
  /** Events a reset carries. */
  history: number;
}

/** Starts the reader's stream; returns the call that ends it. Errors end the replay and reach `onError`. */
export function listen(
  store: EventStore,
  fanout: Fanout,
  reader: Reader,
  from: From,
  options: ListenOptions,
  onError: (error: unknown) => void,
): () => void {
  const stop = () => fanout.remove(reader);
  const run = (start: From) =>
    catchUp(store, fanout, reader, start, options).catch((error) => {
      stop();
      onError(error);
    });
  // A live reader whose store lost events it had not seen yet starts again from the last one it had.
  fanout.hold(reader, (position) => run({ after: position }));
  run(from);
  return stop;
}

async function catchUp(store: EventStore, fanout: Fanout, reader: Reader, from: From, options: ListenOptions) {
  const visible = (events: RoomEvent[]) => events.filter((event) => isVisibleTo(event, reader.memberId));
  let position: string;
  if ("history" in from) {
    const start = store.lastId();
    const history = await store.recent(from.history);
    for (const event of visible(history)) {
      await reader.ready();
      if (!reader.open) return;
      reader.deliver(event, true);
    }
    position = history.at(-1)?.id ?? start;
  } else if ("after" in from) {
    position = from.after;
  } else {
    position = store.lastId();
  }
  // Only a resume replays: what comes after a newcomer's history happened while it was listening.
  const replayed = "after" in from;
  for (;;) {
    const page = await store.since(position, PAGE);
    if (!reader.open) return;
    if (page === null) {
      const start = store.lastId();
      const history = await store.recent(options.history);
      if (!reader.open) return;
      position = history.at(-1)?.id ?? start;
      reader.reset(visible(history), position);
      continue;
    }
    for (const event of page) {
      if (isVisibleTo(event, reader.memberId)) {
        await reader.ready();
        if (!reader.open) return;
        reader.deliver(event, replayed);
      }
      position = event.id;
    }
    if (page.length === PAGE) continue;
    if (fanout.release(reader, position)) return;
  }
}
