/**
 * The doors into the room, named once. The room's `Door`, the wire's `door` fields and the metrics' labels
 * derive from here, so a new door is one more entry in {@link DOORS} (and its ports in {@link PORTS}).
 *
 * @example
 * ```ts
 * import { DOORS, PORT_LABELS } from "./doors.ts";
 * DOORS; // ["tcp", "web", "irc"]
 * PORT_LABELS; // ["tcp", "tls", "web", "irc", "ircs"]: the TCP door's plain and TLS ports are counted apart
 * ```
 */

export const DOORS = ["tcp", "web", "irc"] as const;

/** The door a member came through. */
export type Door = typeof DOORS[number];

/** How metrics and logs label each door's connections: per port (the TCP door's plain and TLS ports apart). */
export const PORTS = { tcp: ["tcp", "tls"], web: ["web"], irc: ["irc", "ircs"] } as const satisfies Record<
  Door,
  readonly string[]
>;

export type PortLabel = typeof PORTS[Door][number];

export const PORT_LABELS: readonly PortLabel[] = DOORS.flatMap((door) => PORTS[door]);
