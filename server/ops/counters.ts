/**
 * The numbers behind `/metrics`, kept as plain integers where things happen: a delivery or a write costs
 * one property increment, never a metrics-library call. The metrics registry (metrics.ts) reads them when
 * scraped. main.ts makes one {@link Counters} and hands it to what counts, so two servers in one process
 * (a test's) keep their numbers apart.
 *
 * @example
 * ```ts
 * import { Counters } from "./counters.ts";
 * const counters = new Counters();
 * counters.tcp.accepted++;
 * counters.storeAppend.observe(0.0004); // seconds
 * ```
 */

import { PORT_LABELS, type PortLabel } from "../../common/doors.ts";

/** The doors as metrics label them: per port (common/doors.ts), the TCP door's plain and TLS ports apart. */
export type DoorLabel = PortLabel;
export const DOOR_LABELS: readonly DoorLabel[] = PORT_LABELS;

/** Why a connection was refused (see server/io/caps.ts). */
export type RefusalReason = "address" | "full";

/** What one door (or one port of the TCP door) counts. */
export class DoorCounters {
  /** Connections let in: TCP sockets, or HTTP connections (whatever they go on to ask). */
  accepted = 0;
  refused: Record<RefusalReason, number> = { address: 0, full: 0 };
  /** Connections open now: TCP sockets, or web event streams. */
  open = 0;
  /** Lines or sends that reached the room as messages (commands and refusals excluded). */
  messagesIn = 0;
  /** Events handed to this door's readers (replayed ones too). */
  deliveries = 0;
  /** Bytes its sockets or streams took. */
  bytesOut = 0;
  /** Readers cut off for not taking their bytes. */
  slowCutoffs = 0;
  /** Lines held back (TCP) or refused with 429 (web) by the flood limit. */
  floodPauses = 0;
}

/** A histogram without labels: counts per upper bound (not cumulative), a sum and a count. */
export class Buckets {
  readonly counts: number[];
  sum = 0;
  count = 0;

  /** `bounds`: ascending upper bounds; a last, unbounded bucket (+Inf) is added. */
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** Seconds: from 50 µs (an in-memory append) to 2.5 s (a Redis about to time out). */
const LATENCY_BOUNDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];
/** Seconds: how late a timer fired; a few ms is normal, 100 ms is a stall people notice. */
const LAG_BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Everything one server counts: a {@link DoorCounters} per door label (`counters.tcp`, `counters.web`, …), and more. */
// Declares one field per label of DOOR_LABELS (merged into the class below, which sets them): a new door is counted
// by being named in common/doors.ts.
export interface Counters extends Readonly<Record<DoorLabel, DoorCounters>> {}

export class Counters {
  /** Web streams opened by a browser reconnecting with `Last-Event-ID`. */
  sseResumes = 0;
  /** `reset` events sent: the gap a stream asked for was no longer all kept. */
  sseResets = 0;
  /** From an append until the event is stored (SQLite: committed to the file; Redis: the round trip). */
  readonly storeAppend = new Buckets(LATENCY_BOUNDS);
  /** How late the event loop ran a timer (see loop_lag.ts). */
  readonly loopLag = new Buckets(LAG_BOUNDS);

  constructor() {
    for (const label of DOOR_LABELS) (this as Record<DoorLabel, DoorCounters>)[label] = new DoorCounters();
  }
}
