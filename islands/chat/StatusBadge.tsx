import type { Signal } from "@preact/signals";
import { type Status, STATUS_TEXT } from "./state.ts";

/** The connection state, always on screen: Connecting…, Online, Reconnecting…, Not signed in. */
export function StatusBadge({ status }: { status: Signal<Status> }) {
  return (
    <p class="status" data-state={status.value} role="status">
      <span class="status-dot" aria-hidden="true" />
      {STATUS_TEXT[status.value]}
    </p>
  );
}
