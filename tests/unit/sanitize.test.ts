import assert from "node:assert/strict";
import { sanitize } from "../../common/sanitize.ts";

Deno.test("plain text, accents, CJK and emoji pass unchanged", () => {
  for (const text of ["hello", "Zoë says: «ça va?»", "名前は", "👩‍👩‍👧 family", "a < b && c > d", "\uFFFD"]) {
    assert.equal(sanitize(text), text);
  }
});

Deno.test("a tab becomes a space", () => {
  assert.equal(sanitize("a\tb\t\tc"), "a b  c");
});

Deno.test("CSI sequences (colors, cursor moves, screen clears) are removed", () => {
  assert.equal(sanitize("\x1b[31mred\x1b[0m"), "red");
  assert.equal(sanitize("\x1b[1;32;40mbold\x1b[m"), "bold");
  assert.equal(sanitize("\x1b[2J\x1b[Hcleared"), "cleared");
  assert.equal(sanitize("up\x1b[10Adown"), "updown");
  assert.equal(sanitize("\x1b[?25lhidden cursor"), "hidden cursor");
});

Deno.test("OSC sequences (window titles, hyperlinks) are removed with their payload", () => {
  assert.equal(sanitize("\x1b]0;pwned\x07title"), "title");
  assert.equal(sanitize("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"), "link");
});

Deno.test("DCS and other string sequences and two-byte escapes are removed", () => {
  assert.equal(sanitize("\x1bPq#0;2;0;0;0\x1b\\after"), "after");
  assert.equal(sanitize("\x1bcreset"), "reset");
  assert.equal(sanitize("keypad\x1b="), "keypad");
  assert.equal(sanitize("lone escape at the end\x1b"), "lone escape at the end");
});

Deno.test("a bare carriage return cannot overwrite what came before", () => {
  assert.equal(sanitize("innocent\rEVIL"), "innocentEVIL");
  assert.equal(sanitize("line\r"), "line");
});

Deno.test("C0 and C1 control characters and DEL are removed", () => {
  assert.equal(sanitize("a\x00b\x07c\x08d\x0be\x0cf\x7fg"), "abcdefg");
  // 8-bit CSI/OSC introducers are C1 controls: without them, what followed is inert text.
  assert.equal(sanitize("a\x85b\x9b31mc\x9d0;t\x9cd"), "ab31mc0;td");
  assert.equal(sanitize("new\nline"), "newline");
});

Deno.test("bidirectional overrides and isolates are removed", () => {
  assert.equal(sanitize("file\u202Egnp.exe"), "filegnp.exe");
  for (const mark of ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"]) {
    assert.equal(sanitize(`a${mark}b`), "ab", `U+${mark.codePointAt(0)!.toString(16)}`);
  }
});

Deno.test("cleaning a cleaned text changes nothing", () => {
  const dirty = "\x1b[31m\tred\r\x1b]0;x\x07\u202Eok\x00";
  assert.equal(sanitize(sanitize(dirty)), sanitize(dirty));
});
