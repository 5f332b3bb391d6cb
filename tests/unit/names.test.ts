import assert from "node:assert/strict";
import { checkName, lookKey, MAX_NAME_LENGTH, nameKey } from "../../server/room/names.ts";

function accepted(input: string): string {
  const check = checkName(input);
  assert.ok(check.ok, `${JSON.stringify(input)} should be accepted: ${!check.ok && check.error}`);
  return check.name;
}

function refusal(input: string): string {
  const check = checkName(input);
  assert.ok(!check.ok, `${JSON.stringify(input)} should be refused`);
  return check.error;
}

Deno.test("letters of any script, digits, _ - and . make a name", () => {
  for (const name of ["Ana", "ana_b-c.d", "Zoë", "名前", "Алёна", "user42", "٣", "e\u0301te"]) accepted(name);
});

Deno.test("a name is trimmed and NFKC-normalized before it is checked and kept", () => {
  assert.equal(accepted("  Ana\t"), "Ana");
  assert.equal(accepted("Ａｎａ"), "Ana");
  assert.equal(accepted("e\u0301"), "\u00e9");
});

Deno.test("spaces, colons, symbols and control characters are refused", () => {
  for (const name of ["Ana Bell", "Ana:", "a/b", "<b>", "a@b", "tab\tin", "nul\0", "😀", "a\u202Eb", "a\u200Bb"]) {
    assert.match(refusal(name), /only letters, digits, _ - and \./, name);
  }
});

Deno.test("a name may not start with a combining mark", () => {
  assert.match(refusal("\u0301abc"), /only letters, digits, _ - and \./);
  accepted("a\u0308bc");
});

Deno.test("an empty name is refused", () => {
  assert.match(refusal(""), /must not be empty/);
  assert.match(refusal("   "), /must not be empty/);
});

Deno.test("a name is at most 32 characters, counted as characters and not bytes", () => {
  assert.equal(MAX_NAME_LENGTH, 32);
  accepted("x".repeat(32));
  accepted("é".repeat(32));
  accepted("名".repeat(32));
  assert.match(refusal("x".repeat(33)), /at most 32 characters/);
  assert.match(refusal("é".repeat(33)), /at most 32 characters/);
});

Deno.test("reserved names are refused in any case and any width", () => {
  for (const name of ["server", "Server", "SYSTEM", "ｓｙｓｔｅｍ"]) assert.match(refusal(name), /reserved/, name);
  accepted("servers");
});

Deno.test("name keys fold case and compatibility forms so look-alike spellings collide", () => {
  assert.equal(nameKey("Ana"), nameKey("ANA"));
  assert.equal(nameKey("Ａｎａ"), nameKey("ana"));
  assert.equal(nameKey("ÉLODIE"), nameKey("élodie"));
  assert.equal(nameKey("e\u0301lodie"), nameKey("\u00e9lodie"));
  assert.notEqual(nameKey("ana"), nameKey("anna"));
});

Deno.test("checkName returns the folded key with the name, and every key the name holds", () => {
  assert.deepEqual(checkName(" Ana "), { ok: true, name: "Ana", key: "ana", keys: ["ana"] });
  const alice = checkName("AIice");
  assert.ok(alice.ok && alice.keys.length === 2 && alice.keys.includes(alice.key));
});

Deno.test("name keys use full case folding: ß matches SS and a final sigma matches σ", () => {
  assert.equal(nameKey("Straße"), nameKey("STRASSE"));
  assert.equal(nameKey("ΟΔΟΣ"), nameKey("οδοσ"));
  assert.equal(nameKey("ﬁx"), nameKey("FIX"));
});

Deno.test("invisible characters are refused, and so is a name made of nothing else", () => {
  const invisible = ["\u034F", "\uFE0F", "\u17B5", "\u3164", "\uFFA0", "\u115F", "\u1160", "\u{E0100}", "\u{16FE4}"];
  for (const char of invisible) {
    const code = `U+${char.codePointAt(0)!.toString(16)}`;
    assert.equal(refusal(`Ana${char}`), "a name must not contain invisible characters", code);
  }
  for (const name of ["\u3164", "\u3164\u3164", "\uFFA0", "\u115F\u1160"]) {
    assert.equal(refusal(name), "a name must not contain invisible characters", JSON.stringify(name));
  }
  assert.match(refusal("\u17B4Ana"), /only letters/);
  assert.match(refusal("Ana\u2800"), /only letters/);
});

Deno.test("a name mixing Latin with Cyrillic or Greek is refused, naming the scripts", () => {
  assert.equal(refusal("\u0410na"), "a name may not mix scripts (Cyrillic and Latin)");
  assert.equal(refusal("An\u0430"), "a name may not mix scripts (Latin and Cyrillic)");
  assert.equal(refusal("\u0391na"), "a name may not mix scripts (Greek and Latin)");
  assert.equal(refusal("Ana名\u0430"), "a name may not mix scripts (Latin, Han and Cyrillic)");
  for (const name of ["Ana名前", "Anaかな", "Ana한국", "Алёна", "ναν"]) accepted(name);
});

Deno.test("reserved names are refused however they are spelled to look alike", () => {
  for (const name of ["s\u0435rver", "\u0405\u04AE\u0405\u0422\u0415\u041C", "SERVER", "\u0405ERVER", "syst\u0435m"]) {
    assert.match(refusal(name), /is reserved$/, name);
  }
  accepted("5ystem");
});

Deno.test("name keys are the skeletons of the folded names, so look-alikes collide", () => {
  assert.equal(nameKey("Ana"), "ana");
  assert.equal(nameKey("\u0430\u0441\u0435"), nameKey("ACE"));
  assert.equal(nameKey("\u0391NA"), nameKey("ana"));
  assert.equal(nameKey("m"), nameKey("rn"));
  assert.equal(nameKey("B0B"), nameKey("bob"));
  assert.equal(nameKey("Bi11"), nameKey("BILL"));
  assert.equal(nameKey("\u{1D400}na"), nameKey("ana"));
  assert.notEqual(nameKey("Ana"), nameKey("Ava"));
});

Deno.test("capitals that look like other letters escape the name key but not the look key", () => {
  assert.notEqual(nameKey("AIice"), nameKey("Alice"));
  assert.equal(lookKey("AIice"), lookKey("Alice"));
  assert.notEqual(nameKey("\u0422\u041E\u041C"), nameKey("TOM"));
  assert.equal(lookKey("\u0422\u041E\u041C"), lookKey("TOM"));
});
