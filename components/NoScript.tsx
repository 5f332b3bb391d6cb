/** What a reader without JavaScript is told: the history is readable, chatting needs the script or nc. */
export function NoScript({ tcpHint }: { tcpHint: string }) {
  return (
    <noscript>
      <p class="noscript">
        JavaScript is off: you can read the recent history below. To chat, turn it on, or connect with{" "}
        <code>{tcpHint}</code>.
      </p>
    </noscript>
  );
}
