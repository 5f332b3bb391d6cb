/** The IRC line parser and serializer against the shared cases of irc-parser-tests (tests/fixtures). */
import assert from "node:assert/strict";
import {
  type IrcMessage,
  lineTooLong,
  MAX_BODY_BYTES,
  parseMessage,
  serializeMessage,
} from "../../server/irc/message.ts";
import fixture from "../fixtures/irc_parser_tests.json" with { type: "json" };

interface Atoms {
  verb: string;
  source?: string;
  tags?: Record<string, string>;
  params: string[];
}
const cases: {
  split: { input: string; atoms: Atoms }[];
  join: { desc: string; atoms: Atoms; matches: string[] }[];
} = fixture as unknown as typeof cases;

Deno.test("every msg-split case of irc-parser-tests splits into its atoms", () => {
  assert.ok(cases.split.length >= 30);
  for (const { input, atoms } of cases.split) {
    const message = parseMessage(input);
    assert.ok(message, input);
    assert.deepEqual(
      { verb: message.verb, source: message.source, tags: message.tags, params: message.params },
      { verb: atoms.verb, source: atoms.source, tags: atoms.tags, params: atoms.params },
      JSON.stringify(input),
    );
  }
});

Deno.test("every msg-join case of irc-parser-tests joins into one of its accepted lines", () => {
  for (const { desc, atoms, matches } of cases.join) {
    const line = serializeMessage(atoms as IrcMessage);
    assert.ok(matches.includes(line), `${desc}: ${JSON.stringify(line)} not in ${JSON.stringify(matches)}`);
  }
});

Deno.test("a serialized message parses back to itself", () => {
  const message: IrcMessage = {
    tags: { time: "2026-01-01T00:00:00.000Z", "+draft/x": "a;b c\\d" },
    source: "Ana!web@chat",
    verb: "PRIVMSG",
    params: ["#chat", ":-) hello  there"],
  };
  assert.deepEqual(parseMessage(serializeMessage(message)), message);
  assert.equal(serializeMessage({ verb: "PRIVMSG", params: ["#chat", "hi"] }, true), "PRIVMSG #chat :hi");
});

Deno.test("a line without a verb is no message", () => {
  assert.equal(parseMessage(""), undefined);
  assert.equal(parseMessage("   "), undefined);
  assert.equal(parseMessage(":src"), undefined);
  assert.equal(parseMessage("@a=b"), undefined);
});

Deno.test("510 bytes is the body's limit; tags have their own 4096 with message-tags", () => {
  const body = "PRIVMSG #chat :" + "x".repeat(MAX_BODY_BYTES - 15);
  assert.equal(lineTooLong(body, false), false);
  assert.equal(lineTooLong(body + "x", false), true);
  assert.equal(lineTooLong(body.slice(0, -1) + "é", false), true, "bytes, not characters");
  const tags = "@" + "+a=" + "y".repeat(4000) + " ";
  assert.equal(lineTooLong(tags + body, true), false);
  assert.equal(lineTooLong(tags + body + "x", true), true);
  assert.equal(lineTooLong(tags + body, false), true, "without message-tags the tags count in the 510");
  assert.equal(lineTooLong("@" + "+a=" + "y".repeat(4093) + " PING x", true), true);
});
