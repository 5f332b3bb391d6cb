import assert from "node:assert/strict";
import { skeleton } from "../../server/room/skeleton.ts";

Deno.test("letters of other scripts that look Latin share the Latin skeleton", () => {
  for (const lookalike of ["\u0410na", "An\u0430", "\u0391na", "\uA4EEna", "\u{1D400}na"]) {
    assert.equal(skeleton(lookalike), skeleton("Ana"), lookalike);
  }
});

Deno.test("a skeleton follows Unicode's prototypes: m is rn, 0 is O, 1 and I are l", () => {
  assert.equal(skeleton("m"), "rn");
  assert.equal(skeleton("rn"), "rn");
  assert.equal(skeleton("0"), "O");
  assert.equal(skeleton("1"), "l");
  assert.equal(skeleton("I"), "l");
  assert.equal(skeleton("l"), "l");
});

Deno.test("a skeleton is decomposed: composed and decomposed accents agree, and an accent still counts", () => {
  assert.equal(skeleton("\u00e9"), skeleton("e\u0301"));
  assert.equal(skeleton("\u00e9"), "e\u0301");
  assert.notEqual(skeleton("\u00e9"), skeleton("e"));
});

Deno.test("default-ignorable code points vanish from a skeleton", () => {
  for (const invisible of ["\u034F", "\uFE0F", "\u17B4", "\u200B", "\u2060", "\u3164"]) {
    assert.equal(skeleton(`A${invisible}na`), skeleton("Ana"), `U+${invisible.codePointAt(0)!.toString(16)}`);
  }
});

Deno.test("strings that look different keep different skeletons", () => {
  assert.notEqual(skeleton("Ana"), skeleton("Anna"));
  assert.notEqual(skeleton("Ana"), skeleton("Ava"));
  assert.notEqual(skeleton("ana"), skeleton("Ana"));
});
