import type { Attention } from "./attention.ts";

/** A toggle button: the same name on and off (`aria-pressed` says which), as screen readers expect. */
const LABEL = {
  on: "Notifications",
  off: "Notifications",
  denied: "Notifications blocked",
} as const;

/**
 * Opt-in notifications for mentions and private messages while the tab is hidden: the browser is asked for
 * its permission only when this is pressed, never on load. Absent where the browser has no notifications.
 */
export function NotifyButton({ attention }: { attention: Attention }) {
  const state = attention.notify.value;
  if (state === "unsupported") return null;
  return (
    <button
      type="button"
      class="quiet notify"
      aria-pressed={state === "on" ? "true" : "false"}
      disabled={state === "denied"}
      title={state === "denied"
        ? "The browser blocks notifications for this site; its site settings can allow them"
        : "Notify me of mentions and private messages while this tab is in the background"}
      onClick={() => void attention.toggleNotifications()}
    >
      {LABEL[state]}
    </button>
  );
}
