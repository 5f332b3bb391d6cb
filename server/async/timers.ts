/**
 * Timers as a value, so a piece that waits can be handed a clock a test moves by hand
 * (tests/helpers/clock.ts) instead of the global one.
 */

/** Schedules and cancels one-shot timers, like the globals; a timer's id is whatever its setTimeout returned. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

type GlobalId = ReturnType<typeof setTimeout>;

/** The global timers. */
export const GLOBAL_TIMERS: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (id) => clearTimeout(id as GlobalId | undefined),
};
