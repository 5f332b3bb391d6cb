/**
 * Reading further back: loads the page of events before the oldest one shown from `/api/history` and puts it
 * before the others, until the server says the start of what it keeps is reached. One load at a time; an
 * answer that comes after the transcript was replaced (a stream reset) is dropped.
 *
 * @example
 * ```ts
 * import { createApiClient } from "./api.ts";
 * import { createOlderHistory } from "./older.ts";
 * import { createChatState } from "./state.ts";
 * const state = createChatState({ events: [], members: { members: [], total: 0 }, lastEventId: "e-0" });
 * const older = createOlderHistory(createApiClient(), state, () => "e-0");
 * export const showOlder = () => older.load(); // the "Show older messages" button, or a scroll to the top
 * ```
 */
import { batch, type Signal, signal } from "@preact/signals";
import { HISTORY_DEFAULT_LIMIT } from "../../common/api.ts";
import type { ApiClient } from "./api.ts";
import type { ChatState } from "./state.ts";

export interface OlderHistory {
  /** A page is on its way. */
  loading: Signal<boolean>;
  /** Nothing older is kept: the page shows the start. */
  atStart: Signal<boolean>;
  /** Why the last load failed, until the next one. */
  failed: Signal<string | undefined>;
  /** Loads the page before the oldest event shown; resolves to how many events were added. */
  load(): Promise<number>;
  /** The transcript was replaced: older pages are to be found again, and any on its way is dropped. */
  reset(): void;
}

/** `position`: where the stream is, the id to page back from when no event is shown at all. */
export function createOlderHistory(
  api: ApiClient,
  state: ChatState,
  position: () => string,
  pageSize = HISTORY_DEFAULT_LIMIT,
): OlderHistory {
  const loading = signal(false);
  const atStart = signal(false);
  const failed = signal<string | undefined>(undefined);
  let generation = 0;
  /** Where the server said the next page starts: past the oldest shown when a page was all others' private messages. */
  let next: string | undefined;
  /** The oldest entry shown when `next` was given: if it is gone (pushed out by live events), so is `next`. */
  let nextFor: string | undefined;

  return {
    loading,
    atStart,
    failed,

    async load() {
      if (loading.value || atStart.value) return 0;
      const oldest = state.entries.value.find((entry) => entry.kind !== "notice");
      if (oldest?.id !== nextFor) next = undefined;
      const before = next ?? oldest?.id ?? position();
      const asked = generation;
      batch(() => {
        loading.value = true;
        failed.value = undefined;
      });
      try {
        const answer = await api.history(before, pageSize);
        if (asked !== generation) return 0;
        if (!answer.ok) {
          // 400: the transcript's ids are of another run; the stream's reset replaces it soon.
          failed.value = answer.error ?? `cannot load older messages (HTTP ${answer.status})`;
          return 0;
        }
        return batch(() => {
          if (!answer.body.more) atStart.value = true;
          const added = state.prepend(answer.body.events);
          next = answer.body.next;
          nextFor = state.entries.value.find((entry) => entry.kind !== "notice")?.id;
          return added;
        });
      } catch {
        if (asked === generation) failed.value = "Server offline — older messages not loaded";
        return 0;
      } finally {
        if (asked === generation) loading.value = false;
      }
    },

    reset() {
      generation++;
      next = undefined;
      batch(() => {
        loading.value = false;
        atStart.value = false;
        failed.value = undefined;
      });
    },
  };
}
