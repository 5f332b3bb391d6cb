/**
 * Room events as IRC lines: ordinary nicks for every door, CTCP ACTION for /me, private messages to their
 * two members, long text split over several lines that each fit in 512 bytes (never cut), and IRC's
 * formatting codes kept for IRC while the other doors strip them.
 */
import assert from "node:assert/strict";
import { IrcRenderer, splitBytes } from "../../server/irc/render.ts";
import type { RoomEvent } from "../../server/room/events.ts";
import { sanitize, stripIrcFormatting } from "../../common/sanitize.ts";
import { renderLine } from "../../server/tcp/render.ts";
import { toWire } from "../../server/web/wire.ts";
import { parseConfig } from "../../server/config.ts";
import { names } from "../../server/irc/queries.ts";

/** Each test its own renderer: one remembers each member's door from its join. */
let render = new IrcRenderer({ channel: "#chat", serverName: "chat.test" });
const encoder = new TextEncoder();
const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function event(fields: Partial<RoomEvent>): RoomEvent {
  return { id: "e-1", at, kind: "message", from: "Bob", fromId: "bob", ...fields };
}

Deno.test("messages, actions, joins, leaves and server news read as IRC lines", () => {
  assert.deepEqual(render.lines(event({ kind: "join", door: "tcp" }), {}), [":Bob!tcp@chat JOIN #chat"]);
  assert.deepEqual(render.lines(event({ text: "hi" }), {}), [":Bob!tcp@chat PRIVMSG #chat :hi"]);
  assert.deepEqual(render.lines(event({ kind: "action", text: "waves" }), {}), [
    ":Bob!tcp@chat PRIVMSG #chat :\x01ACTION waves\x01",
  ]);
  assert.deepEqual(render.lines(event({ kind: "leave", reason: "lost" }), {}), [":Bob!tcp@chat QUIT :Connection lost"]);
  assert.deepEqual(render.lines(event({ kind: "system", from: undefined, fromId: undefined, text: "bye" }), {}), [
    ":chat.test NOTICE #chat :bye",
  ]);
  assert.deepEqual(render.lines(event({ text: "hi" }), { serverTime: true }), [
    "@time=2026-01-02T03:04:05.678Z :Bob!chat@chat PRIVMSG #chat :hi",
  ]);
});

Deno.test("history without server-time says when; replayed joins are notices, not JOINs", () => {
  assert.deepEqual(render.lines(event({ text: "earlier" }), { replayed: true }), [
    ":Bob!chat@chat PRIVMSG #chat :[03:04] earlier",
  ]);
  assert.deepEqual(render.lines(event({ kind: "join", door: "web" }), { replayed: true, serverTime: true }), [
    "@time=2026-01-02T03:04:05.678Z :chat.test NOTICE #chat :Bob joined the chat",
  ]);
});

Deno.test("a private message reaches its recipient as PRIVMSG to its nick; the sender only with echo-message", () => {
  render = new IrcRenderer({ channel: "#chat", serverName: "chat.test" });
  const secret = event({ text: "psst", to: "ana", toName: "Ana" });
  assert.deepEqual(render.lines(secret, { memberId: "ana", nick: "Ana" }), [":Bob!chat@chat PRIVMSG Ana :psst"]);
  assert.deepEqual(render.lines(secret, { memberId: "bob", nick: "Bob" }), []);
  assert.deepEqual(render.lines(secret, { memberId: "bob", nick: "Bob", echo: true }), [
    ":Bob!chat@chat PRIVMSG Ana :psst",
  ]);
  assert.deepEqual(render.lines(event({ kind: "join", door: "irc" }), { memberId: "bob" }), [], "its own join");
});

Deno.test("text longer than one IRC line is sent whole over several lines of at most 512 bytes", () => {
  const text = "é".repeat(700) + " and 🙂".repeat(40);
  for (const viewer of [{}, { serverTime: true }]) {
    for (const kind of ["message", "action"] as const) {
      const lines = render.lines(event({ kind, text }), viewer);
      assert.ok(lines.length > 1);
      for (const line of lines) {
        const body = line.startsWith("@") ? line.slice(line.indexOf(" ") + 1) : line;
        assert.ok(encoder.encode(body + "\r\n").length <= 512, `${encoder.encode(body).length} bytes`);
      }
      const pieces = lines.map((line) => line.slice(line.indexOf(" :", line.indexOf("PRIVMSG")) + 2));
      const joined = pieces.map((piece) => kind === "action" ? piece.slice(8, -1) : piece).join("");
      assert.equal(joined, text);
    }
  }
  assert.deepEqual(splitBytes("abc", 2), ["ab", "c"]);
  assert.deepEqual(splitBytes("🙂🙂", 5), ["🙂", "🙂"]);
});

Deno.test("IRC formatting from an IRC member stays for IRC readers, and nc and the page get plain text", () => {
  const raw = "\x02bold\x02 \x0304,01red\x03 \x1ditalic\x1d \x1funder\x1f\x0f \x1b[31mno escapes\r\n\x01";
  const kept = sanitize(raw, true);
  assert.equal(kept, "\x02bold\x02 \x0304,01red\x03 \x1ditalic\x1d \x1funder\x1f\x0f no escapes");
  assert.equal(sanitize(raw), "bold 04,01red italic under no escapes");
  assert.equal(stripIrcFormatting(kept), "bold red italic under no escapes");
  const said = event({ text: kept });
  assert.equal(renderLine(said), "Bob: bold red italic under no escapes");
  assert.equal(toWire(said).text, "bold red italic under no escapes");
  assert.ok(render.lines(said, {})[0].endsWith(`:${kept}`));
});

Deno.test("the IRC flags: off by default, TLS only with the files, a channel that is one word", () => {
  const defaults = parseConfig([], {});
  assert.equal(defaults.ircPort, undefined);
  assert.equal(defaults.ircTlsPort, undefined);
  assert.equal(defaults.ircChannel, "#chat");
  assert.equal(defaults.ircPingMs, 60_000);
  assert.equal(parseConfig([], { CHAT_IRC_PORT: "6667" }).ircPort, 6667);
  assert.throws(() => parseConfig(["--irc-tls-port", "6697"], {}), /--irc-tls-port needs --tls-cert/);
  assert.throws(() => parseConfig(["--irc-channel", "chat"], {}), /--irc-channel/);
  assert.throws(() => parseConfig(["--irc-channel", "#a b"], {}), /--irc-channel/);
  assert.equal(parseConfig(["--irc-channel", "#room"], {}).ircChannel, "#room");
});

Deno.test("NAMES lines stay within 512 bytes however many and however long the names", () => {
  const members = Array.from(
    { length: 60 },
    (_, i) => ({ id: `${i}`, name: `名前${i}`.padEnd(32, "ä"), door: "web" as const }),
  );
  const replies = names({ channel: "#chat", serverName: "chat.test", members }, "Ana");
  assert.equal(replies.at(-1)?.code, "366");
  const listed = replies.filter((reply) => reply.code === "353").flatMap((reply) => reply.params[2].split(" "));
  assert.deepEqual(listed, [...members.map((member) => member.name), "Ana"]);
  for (const reply of replies) {
    const line = `:chat.test ${reply.code} ${"N".repeat(32)} ${reply.params.join(" ")}\r\n`;
    assert.ok(encoder.encode(line).length <= 512, `${encoder.encode(line).length}`);
  }
});

Deno.test("a nick in another script counts in bytes: every line still fits in 512 with server-time", () => {
  const nick = "名".repeat(32);
  const text = "字".repeat(700);
  for (const viewer of [{}, { serverTime: true }, { serverTime: true, nick: "Ana", memberId: "ana" }]) {
    const lines = render.lines(event({ from: nick, text, to: "ana", toName: "Ana" }), viewer);
    const tagless = lines.map((line) => line.startsWith("@") ? line.slice(line.indexOf(" ") + 1) : line);
    for (const line of tagless) {
      assert.ok(encoder.encode(line + "\r\n").length <= 512, `${encoder.encode(line).length} bytes`);
    }
    const pieces = lines.map((line) => line.slice(line.lastIndexOf(" :") + 2)).join("");
    assert.equal(pieces.replace(/^\[\d\d:\d\d\] /, ""), text, "never cut");
  }
});
