import assert from "node:assert/strict";
import { mixedScripts, SCRIPT_NAMES } from "../../server/room/scripts.ts";

Deno.test("every letter, mark and digit this engine knows is Common, Inherited or in a listed script", () => {
  const known = SCRIPT_NAMES.filter((name) => {
    try {
      return new RegExp(`\\p{scx=${name}}`, "u") !== undefined;
    } catch {
      return false;
    }
  });
  const listed = new RegExp(`[${["Common", "Inherited", ...known].map((name) => `\\p{scx=${name}}`).join("")}]`, "u");
  const nameable = /[\p{L}\p{M}\p{N}]/u;
  const missing: string[] = [];
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    if (nameable.test(char) && !listed.test(char)) missing.push(`U+${code.toString(16).toUpperCase()}`);
  }
  assert.deepEqual(missing, []);
});

Deno.test("a name in one script is not mixed, whatever the script", () => {
  for (
    const name of ["Ana", "\u0410\u043b\u0451\u043d\u0430", "\u03bd\u03b1\u03bd", "名前", "\u0661\u0662", "user_42"]
  ) {
    assert.equal(mixedScripts(name), undefined, name);
  }
});

Deno.test("digits, _ - . and combining marks fit any script", () => {
  assert.equal(mixedScripts("\u0410\u043d\u043d\u0430_42.-"), undefined);
  assert.equal(mixedScripts("\u0430\u0301"), undefined);
});

Deno.test("kanji with kana, Han with Hangul or with Bopomofo, each count as one script", () => {
  for (const name of ["名前かな", "カタカナ漢字", "한국漢字", "ㄅㄆ漢字"]) {
    assert.equal(mixedScripts(name), undefined, name);
  }
});

Deno.test("Latin may join Han with kana, Hangul or Bopomofo: UTS #39 calls those mixes highly restrictive", () => {
  for (const name of ["Ana名前", "Anaかな", "Ana한국", "Anaㄅ", "Ünïcödé_名前-1."]) {
    assert.equal(mixedScripts(name), undefined, name);
  }
});

Deno.test("other mixes are refused with every script in them, in order of appearance", () => {
  assert.deepEqual(mixedScripts("\u0410na"), ["Cyrillic", "Latin"]);
  assert.deepEqual(mixedScripts("An\u0430"), ["Latin", "Cyrillic"]);
  assert.deepEqual(mixedScripts("\u0391na"), ["Greek", "Latin"]);
  assert.deepEqual(mixedScripts("\u0410\u043d\u03b1"), ["Cyrillic", "Greek"]);
  assert.deepEqual(mixedScripts("한かな"), ["Hangul", "Hiragana"]);
  assert.deepEqual(mixedScripts("Ana\u0663"), ["Latin", "Arabic"]);
  assert.deepEqual(mixedScripts("Ana名\u0430"), ["Latin", "Han", "Cyrillic"]);
});
