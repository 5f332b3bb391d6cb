/**
 * irssi, a real IRC client in a real terminal (tmux), against the IRC door: it connects, finds itself in
 * #chat, sees a web member's message, sends one that an `nc` member and the page see, `/msg`s the `nc`
 * member, and `/quit`s (the others see the leave).
 */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";
import { isText, parseEvent, webMember } from "./helpers/http.ts";
import { Tmux } from "./helpers/tmux.ts";

Deno.test("irssi joins #chat by itself, chats with the page and nc, /msg's, and /quit's", async () => {
  await using server = await startServer(["--irc-port", "0"]);
  await using bob = await join(server.tcpPort, "Bob");
  const { client: cy, events } = await webMember(server.httpUrl, "Cy");
  await using _events = events;
  const home = await Deno.makeTempDir({ prefix: "irssi-home-" });
  try {
    await using term = await Tmux.start(
      ["irssi", "--home", home, "-n", "Ana", "-c", "127.0.0.1", "-p", String(server.ircPort)],
      { columns: 120, rows: 30 },
    );
    await bob.expectLine("* Ana joined the chat", 20_000);
    await events.expect((event) =>
      event.event === "message" && parseEvent(event.data).kind === "join" &&
      parseEvent(event.data).from === "Ana"
    );
    // irssi opens a window for #chat when the server says it joined; go there.
    await term.type("/window goto #chat");
    await term.press("Enter");
    await term.waitFor(/#chat/);

    assert.equal((await cy.say("hello irssi")).status, 202);
    await term.waitFor(/<.?Cy> hello irssi/);

    await term.type("hello from irssi");
    await term.press("Enter");
    await bob.expectLine("Ana: hello from irssi");
    await events.expect(isText("hello from irssi"));

    await term.type("/msg Bob just between us");
    await term.press("Enter");
    await bob.expectLine("[private] Ana: just between us");

    await term.type("/quit see you");
    await term.press("Enter");
    await bob.expectLine("* Ana left the chat");
    await events.expect((event) =>
      event.event === "message" && parseEvent(event.data).kind === "leave" &&
      parseEvent(event.data).from === "Ana"
    );
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
