/**
 * The Redis keys of one room. All share the `{chat}` hash tag, so Redis Cluster keeps them in one slot and
 * a Lua script may touch any of them. A script that builds keys itself gets their prefix as an argument
 * (`KEYS.instance("")`), so every key's format is written here alone.
 */
export const KEYS = {
  /** The stream of events: an entry per batch, id `0-<first event's number>`, holding `n` (how many) and `e` (JSON). */
  log: "{chat}:log",
  /** `epoch`, `next` (the next event's number), and `retain` (events the room keeps, set by its first instance). */
  meta: "{chat}:meta",
  /** Present members by the time their presence expires (ms). */
  presence: "{chat}:presence",
  /** Member id → the member as JSON (name, door, instance, keys). */
  members: "{chat}:members",
  name: (key: string) => `{chat}:name:${key}`,
  instance: (id: string) => `{chat}:instance:${id}`,
  receipt: (id: string) => `{chat}:receipt:${id}`,
  /** A member's flood bucket, shared by every instance: `tokens` and `at` (Redis time, ms). */
  flood: (id: string) => `{chat}:flood:${id}`,
  session: (token: string) => `{chat}:session:${token}`,
} as const;
