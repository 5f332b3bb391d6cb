import assert from "node:assert/strict";
import { LineEditor } from "../../client/line_editor.ts";

const CLEAR = "\r\x1b[2K";

function typed(keys: string[], columns = 80): LineEditor {
  const editor = new LineEditor(() => columns);
  for (const key of keys) editor.feed(key);
  return editor;
}

Deno.test("Enter hands over the typed line and starts an empty one", () => {
  const editor = new LineEditor(() => 80);
  assert.deepEqual(editor.feed("hello").events, []);
  const { events, output } = editor.feed("\r");
  assert.deepEqual(events, [{ line: "hello" }]);
  assert.equal(output, `${CLEAR}> \r\x1b[2C`);
  assert.equal(editor.text, "");
});

Deno.test("a pasted chunk with several lines gives one line per Enter", () => {
  assert.deepEqual(new LineEditor(() => 80).feed("one\rtwo\r").events, [{ line: "one" }, { line: "two" }]);
});

Deno.test("a line printed above the input leaves the typed text and the cursor where they were", () => {
  const editor = typed(["half a sent", "\x1b[D", "\x1b[D"]);
  assert.equal(editor.printAbove("Bob: hi"), `${CLEAR}Bob: hi\r\n${CLEAR}> half a sent\r\x1b[11C`);
  assert.equal(editor.text, "half a sent");
});

Deno.test("the cursor keys, Home and End move within the line, and typing inserts at the cursor", () => {
  assert.equal(typed(["ac", "\x1b[D", "b"]).text, "abc");
  assert.equal(typed(["bc", "\x1b[H", "a", "\x1b[F", "d"]).text, "abcd");
  assert.equal(typed(["bc", "\x01", "a", "\x05", "d"]).text, "abcd", "Ctrl-A and Ctrl-E");
  assert.equal(typed(["bc", "\x1bOH", "a"]).text, "abc", "the SS3 form some terminals send");
});

Deno.test("an escape sequence cut between two reads is still one key", () => {
  assert.equal(typed(["ac", "\x1b", "[D", "b"]).text, "abc");
  assert.equal(typed(["ac", "\x1b[", "D", "b"]).text, "abc");
});

Deno.test("Backspace, Delete, Ctrl-U, Ctrl-K and Ctrl-W cut what they should", () => {
  assert.equal(typed(["abc", "\x7f"]).text, "ab");
  assert.equal(typed(["abc", "\x1b[D", "\x1b[D", "\x1b[3~"]).text, "ac");
  assert.equal(typed(["one two", "\x1b[D", "\x15"]).text, "o");
  assert.equal(typed(["one two", "\x01", "\x1b[C", "\x0b"]).text, "o");
  assert.equal(typed(["one two  ", "\x17"]).text, "one ");
});

Deno.test("Ctrl-C interrupts; Ctrl-D ends the input only on an empty line", () => {
  const editor = new LineEditor(() => 80);
  assert.deepEqual(editor.feed("\x03").events, [{ interrupt: true }]);
  assert.deepEqual(editor.feed("ab\x01\x04").events, [], "on a non-empty line it deletes under the cursor");
  assert.equal(editor.text, "b");
  assert.deepEqual(editor.feed("\x0b\x04").events, [{ end: true }]);
});

Deno.test("other control characters and unknown escape sequences are not typed", () => {
  assert.equal(typed(["a\x07\x1b[15~\x1b[1;5Cb"]).text, "ab");
  assert.equal(typed(["a\tb"]).text, "a b", "a tab is a space, as the server would make it");
});

Deno.test("characters outside the BMP are one character each", () => {
  assert.equal(typed(["a😀b", "\x1b[D", "\x7f"]).text, "ab");
});

Deno.test("a line wider than the terminal scrolls so the cursor stays visible", () => {
  const editor = typed(["x".repeat(30) + "END"], 20);
  assert.equal(editor.redraw(), `${CLEAR}> ${"x".repeat(14)}END\r\x1b[19C`);
  editor.feed("\x01");
  assert.equal(editor.redraw(), `${CLEAR}> ${"x".repeat(17)}\r\x1b[2C`);
});

Deno.test("the prompt can change while text is being typed", () => {
  const editor = typed(["An"]);
  assert.equal(editor.setPrompt("name: "), `${CLEAR}name: An\r\x1b[8C`);
});
