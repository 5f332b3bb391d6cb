import assert from "node:assert/strict";
import { type LineItem, LineReader } from "../../server/tcp/line_reader.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** Feeds every chunk, then ends the stream, and returns all items in order. */
function readAll(reader: LineReader, chunks: (string | Uint8Array)[]): LineItem[] {
  const items = chunks.flatMap((chunk) => reader.push(typeof chunk === "string" ? bytes(chunk) : chunk));
  return [...items, ...reader.end()];
}

Deno.test("many lines in one chunk come out one by one", () => {
  assert.deepEqual(readAll(new LineReader(100), ["a\nbb\nccc\n"]), [{ line: "a" }, { line: "bb" }, { line: "ccc" }]);
});

Deno.test("one line over many chunks comes out once it is complete", () => {
  const reader = new LineReader(100);
  assert.deepEqual(reader.push(bytes("hel")), []);
  assert.deepEqual(reader.push(bytes("lo wo")), []);
  assert.deepEqual(reader.push(bytes("rld\nnext")), [{ line: "hello world" }]);
  assert.deepEqual(reader.push(bytes("\n")), [{ line: "next" }]);
});

Deno.test("a multi-byte character split between chunks survives", () => {
  const euro = bytes("5€\n"); // 35 E2 82 AC 0A
  for (let cut = 1; cut < euro.length; cut++) {
    assert.deepEqual(
      readAll(new LineReader(100), [euro.slice(0, cut), euro.slice(cut)]),
      [{ line: "5€" }],
      `cut ${cut}`,
    );
  }
  const emoji = [...bytes("😀!\n")].map((byte) => Uint8Array.of(byte));
  assert.deepEqual(readAll(new LineReader(100), emoji), [{ line: "😀!" }]);
});

Deno.test("invalid UTF-8 decodes to U+FFFD without touching the neighbours", () => {
  const items = readAll(new LineReader(100), [Uint8Array.of(0x61, 0xff, 0x62, 0x0a, 0xe2, 0x82, 0x0a, 0x63, 0x0a)]);
  assert.deepEqual(items, [{ line: "a\uFFFDb" }, { line: "\uFFFD" }, { line: "c" }]);
});

Deno.test("a CRLF ending loses its CR; a CR inside a line is kept for the room to clean", () => {
  assert.deepEqual(readAll(new LineReader(100), ["one\r\ntw\ro\r\n", "\r\n"]), [
    { line: "one" },
    { line: "tw\ro" },
    { line: "" },
  ]);
});

Deno.test("empty lines are reported as empty", () => {
  assert.deepEqual(readAll(new LineReader(100), ["\n\n"]), [{ line: "" }, { line: "" }]);
});

Deno.test("a final line without a newline counts at the end of the stream", () => {
  const reader = new LineReader(100);
  assert.deepEqual(reader.push(bytes("first\nlast")), [{ line: "first" }]);
  assert.deepEqual(reader.end(), [{ line: "last" }]);
  assert.deepEqual(new LineReader(100).end(), []);
});

Deno.test("a line of exactly the limit is kept, with or without CR; one byte more is too long", () => {
  const exact = "x".repeat(10);
  assert.deepEqual(readAll(new LineReader(10), [`${exact}\n${exact}\r\n`]), [{ line: exact }, { line: exact }]);
  assert.deepEqual(readAll(new LineReader(10), [`${exact}y\n`]), [{ tooLong: true }]);
  assert.deepEqual(readAll(new LineReader(10), [`${exact}y\r\n`]), [{ tooLong: true }]);
  assert.deepEqual(readAll(new LineReader(10), [`${exact}\r\r\n`]), [{ tooLong: true }]);
});

Deno.test("an overlong line is reported once, skipped to its newline, and the next line is intact", () => {
  const reader = new LineReader(8);
  const items = readAll(reader, ["ok\n0123456", "789abcdef", "ghijkl", "mnop\nafter\n"]);
  assert.deepEqual(items, [{ line: "ok" }, { tooLong: true }, { line: "after" }]);
});

Deno.test("an overlong line in one chunk with lines after it loses only itself", () => {
  assert.deepEqual(readAll(new LineReader(4), ["toolong\nok\nalso too long\nfin\n"]), [
    { tooLong: true },
    { line: "ok" },
    { tooLong: true },
    { line: "fin" },
  ]);
});

Deno.test("an overlong last line without a newline is reported once", () => {
  assert.deepEqual(readAll(new LineReader(4), ["ok\n", "123456789"]), [{ line: "ok" }, { tooLong: true }]);
  assert.deepEqual(readAll(new LineReader(4), ["ok\n", "12345"]), [{ line: "ok" }, { tooLong: true }]);
});

Deno.test("the reader copies what it keeps, so the caller may reuse its buffer", () => {
  const reader = new LineReader(100);
  const buffer = bytes("abc");
  assert.deepEqual(reader.push(buffer), []);
  buffer.set(bytes("XYZ"));
  assert.deepEqual(reader.push(bytes("\n")), [{ line: "abc" }]);
});

Deno.test("the limit counts bytes, not characters", () => {
  assert.deepEqual(readAll(new LineReader(6), ["ééé\n", "éééx\n"]), [{ line: "ééé" }, { tooLong: true }]);
});

Deno.test("a line dribbled one byte at a time is held in one buffer no bigger than the limit", () => {
  const reader = new LineReader(2048);
  const line = bytes("x".repeat(2048));
  for (const byte of line) assert.deepEqual(reader.push(Uint8Array.of(byte)), []);
  assert.ok(reader.capacity <= 2048 + 1, `capacity ${reader.capacity}`);
  assert.deepEqual(reader.push(bytes("\n")), [{ line: "x".repeat(2048) }]);
});

Deno.test("a partial line holds at most twice its bytes plus a small constant, however it was split", () => {
  for (const size of [1, 10, 100, 1000, 2049]) {
    for (const piece of [1, 7, size]) {
      const reader = new LineReader(2048);
      for (let sent = 0; sent < size; sent += piece) {
        reader.push(new Uint8Array(Math.min(piece, size - sent)).fill(0x61));
      }
      assert.ok(reader.capacity <= 2 * size + 64, `${size} bytes in pieces of ${piece}: capacity ${reader.capacity}`);
    }
  }
});

Deno.test("a reader holds nothing once its line is done, too long, or the stream has ended", () => {
  const reader = new LineReader(100);
  reader.push(bytes("a whole line\n"));
  assert.equal(reader.capacity, 0, "a line that came in one piece is never copied");
  reader.push(bytes("x".repeat(90)));
  assert.ok(reader.capacity > 0);
  reader.push(bytes("\n"));
  assert.equal(reader.capacity, 0, "after a long line");
  reader.push(bytes("x".repeat(90)));
  assert.deepEqual(reader.push(bytes("x".repeat(20))), [{ tooLong: true }]);
  assert.equal(reader.capacity, 0, "while skipping an over-long line");
  reader.push(bytes("\npartial"));
  assert.deepEqual(reader.end(), [{ line: "partial" }]);
  assert.equal(reader.capacity, 0, "after the end");
});
