import { type Signal, useSignalEffect } from "@preact/signals";
import type { Chat } from "./model.ts";
import { COMPOSER_INPUT_ID } from "./state.ts";

/**
 * One field and one button, like the classic desktop client: first the name and "Sign in", then the
 * message and "Send". Enter submits. A text that was not sent stays in the field. The field's text is the
 * chat's draft, so other parts of the page can start a line (a private message to someone in the list).
 */
export function Composer({ chat, ready }: { chat: Chat; ready: Signal<boolean> }) {
  const text = chat.draft;
  const me = chat.me.value;
  const error = chat.error.value;

  useSignalEffect(() => {
    // Signed out (or never in): offer the name this browser used last.
    if (chat.status.value === "signed-out" && text.peek() === "") text.value = chat.storedName() ?? "";
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = text.value;
    const done = me === undefined ? await chat.signIn(value) : await chat.send(value);
    if (done && text.value === value) text.value = "";
  };

  return (
    <form class="composer" onSubmit={submit} noValidate>
      <label for={COMPOSER_INPUT_ID} class="composer-label">
        {me === undefined ? "Choose a name to join the chat" : (
          <>
            Message as <b>{me}</b> · <span class="hint">/help lists the commands; /msg NAME text is private</span>
          </>
        )}
      </label>
      <div class="composer-row">
        <input
          id={COMPOSER_INPUT_ID}
          name={me === undefined ? "name" : "text"}
          value={text.value}
          onInput={(event) => text.value = event.currentTarget.value}
          placeholder={me === undefined ? "Your name" : "Write a message"}
          autoComplete={me === undefined ? "nickname" : "off"}
          enterKeyHint={me === undefined ? "go" : "send"}
          aria-invalid={error ? "true" : undefined}
          aria-describedby="composer-error"
          disabled={!ready.value}
        />
        <button type="submit" disabled={!ready.value || chat.busy.value}>
          {me === undefined ? "Sign in" : "Send"}
        </button>
      </div>
      <p id="composer-error" class="composer-error" role="alert">{error ?? ""}</p>
    </form>
  );
}
