import assert from "node:assert/strict";
import { checkName, MAX_NAME_LENGTH, nameKey } from "../../server/room/names.ts";

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

Deno.test("checkName returns the folded key with the name", () => {
  const check = checkName(" Ana ");
  assert.deepEqual(check, { ok: true, name: "Ana", key: "ana" });
});

Deno.test("name keys use full case folding: ß matches SS and a final sigma matches σ", () => {
  assert.equal(nameKey("Straße"), nameKey("STRASSE"));
  assert.equal(nameKey("ΟΔΟΣ"), nameKey("οδοσ"));
  assert.equal(nameKey("ﬁx"), nameKey("FIX"));
});
