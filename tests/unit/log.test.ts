import assert from "node:assert/strict";
import { errorFields, Logger } from "../../server/ops/log.ts";

const AT = new Date("2026-12-01T16:40:00.123Z");

function logger(format: "text" | "json", level: "debug" | "info" | "warn" | "error" = "info") {
  const lines: string[] = [];
  const log = new Logger();
  log.configure({ format, level, write: (line) => lines.push(line), now: () => AT });
  return { log, lines };
}

Deno.test("a text line is the time, the level, the event and its fields", () => {
  const { log, lines } = logger("text");
  log.info("tcp.connect", { address: "127.0.0.1", port: 50312, name: undefined });
  assert.deepEqual(lines, ["2026-12-01T16:40:00.123Z INFO tcp.connect address=127.0.0.1 port=50312"]);
});

Deno.test("a text value with spaces, quotes, = or line breaks is quoted, so each event stays one line", () => {
  const { log, lines } = logger("text");
  log.error("store.write_failing", { error: 'disk "full"\nreally', empty: "", eq: "a=b" });
  assert.deepEqual(lines, [
    '2026-12-01T16:40:00.123Z ERROR store.write_failing error="disk \\"full\\"\\nreally" empty="" eq="a=b"',
  ]);
});

Deno.test("a JSON line is one object with time, level, event and the fields", () => {
  const { log, lines } = logger("json");
  log.warn("tcp.refuse", { address: "203.0.113.7", reason: "address" });
  assert.equal(lines.length, 1);
  assert.deepEqual(JSON.parse(lines[0]), {
    time: "2026-12-01T16:40:00.123Z",
    level: "warn",
    event: "tcp.refuse",
    address: "203.0.113.7",
    reason: "address",
  });
});

Deno.test("lines below the level are not written", () => {
  const { log, lines } = logger("text", "warn");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.deepEqual(lines.map((line) => line.split(" ")[2]), ["c", "d"]);
  assert.equal(log.enabled("info"), false);
  assert.equal(log.enabled("error"), true);
});

Deno.test("an error becomes its message, and its stack only when asked", () => {
  const error = new Error("boom");
  assert.deepEqual(errorFields(error), { error: "boom", stack: undefined });
  assert.match(String(errorFields(error, true).stack), /^Error: boom\n/);
  assert.deepEqual(errorFields("plain"), { error: "plain", stack: undefined });
});
