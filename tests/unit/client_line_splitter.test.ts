import assert from "node:assert/strict";
import { LineSplitter, TooLong } from "../../client/line_splitter.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

Deno.test("a line split across reads, a character cut between them, arrives whole; a \\r\\n is taken as \\n", () => {
  const lines = new LineSplitter(64);
  const euro = bytes("€");
  assert.deepEqual(lines.push(bytes("Ana: 5 ")), []);
  assert.deepEqual(lines.push(euro.subarray(0, 1)), []);
  assert.deepEqual(lines.push(new Uint8Array([...euro.subarray(1), ...bytes("\r\nBob: ok\n\nCy")])), [
    "Ana: 5 €",
    "Bob: ok",
    "",
  ]);
  assert.deepEqual(lines.end(), ["Cy"], "a last line without its newline");
});

Deno.test("a line of max bytes passes; one byte more is replaced by TooLong and skipped up to its newline", () => {
  const lines = new LineSplitter(8);
  assert.deepEqual(lines.push(bytes("12345678\n123456789\nafter\n")), ["12345678", new TooLong(8), "after"]);
});

Deno.test("a line too long is reported once, as soon as it is, and skipped over any number of reads", () => {
  const lines = new LineSplitter(1024);
  const chunk = new Uint8Array(64 * 1024).fill(0x78);
  assert.deepEqual(lines.push(bytes("Eve: ")), []);
  assert.deepEqual(lines.push(chunk), [new TooLong(1024)]);
  for (let i = 0; i < 100; i++) assert.deepEqual(lines.push(chunk), []);
  assert.deepEqual(lines.push(bytes("still the same line\nEve: after\nEve: ")), ["Eve: after"]);
  assert.deepEqual(lines.end(), ["Eve: "]);
});

Deno.test("a server sending megabytes without a newline costs linear time, not a copy of it all on every read", () => {
  // 32 MB in 16 KiB reads: copying the pending bytes on every read would copy 32 GB.
  const lines = new LineSplitter(1 << 30);
  const chunk = new Uint8Array(16 * 1024).fill(0x78);
  const started = performance.now();
  for (let i = 0; i < 2048; i++) lines.push(chunk);
  assert.deepEqual(lines.push(bytes("\n")).map((line) => (line as string).length), [32 * 1024 * 1024]);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `took ${Math.round(ms)} ms`);
});
