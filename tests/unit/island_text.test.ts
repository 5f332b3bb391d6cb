/** How the page reads a message's text: links it may open, and mentions of the reader. */
import assert from "node:assert/strict";
import { findLinks, mentions, safeHref, textParts } from "../../islands/chat/text.ts";

const links = (text: string) => findLinks(text).map((link) => [link.text, link.href]);

Deno.test("http and https URLs become links; the words around them stay text", () => {
  assert.deepEqual(textParts("see https://example.org/a?b=1#c now"), [
    { type: "text", text: "see " },
    { type: "link", text: "https://example.org/a?b=1#c", href: "https://example.org/a?b=1#c" },
    { type: "text", text: " now" },
  ]);
  assert.deepEqual(links("http://localhost:8000/x and HTTP://Example.ORG"), [
    ["http://localhost:8000/x", "http://localhost:8000/x"],
    ["HTTP://Example.ORG", "http://example.org/"],
  ]);
  assert.deepEqual(links("two: https://a.example, https://b.example."), [
    ["https://a.example", "https://a.example/"],
    ["https://b.example", "https://b.example/"],
  ]);
});

Deno.test("punctuation that ends a sentence, and a bracket the URL never opened, stay text", () => {
  assert.deepEqual(links("(see https://example.org/wiki/Foo_(bar)) ok"), [
    ["https://example.org/wiki/Foo_(bar)", "https://example.org/wiki/Foo_(bar)"],
  ]);
  assert.deepEqual(links("is it https://example.org/?!"), [["https://example.org/", "https://example.org/"]]);
  assert.deepEqual(links("<https://example.org/x>"), [["https://example.org/x", "https://example.org/x"]]);
  assert.deepEqual(links('"https://example.org/x"'), [["https://example.org/x", "https://example.org/x"]]);
});

Deno.test("hostile URLs stay text, or become a link only to the plain part they start with", () => {
  const none = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https://",
    "https://exаmple.org", // Cyrillic а
    "https://еxample.org/login", // Cyrillic е
    "https://example.org/раth", // Cyrillic in the path
    "https://xn--exmple-4nf.org/", // the same look-alike in punycode
    "https://www.xn--80ak6aa92e.com",
    "https://example.org\u202Egro.elgoog", // a bidi override
    "https://exa\u200Bmple.org", // a zero-width space
    "https://google.com@evil.example/", // a user name that reads as a host
    "https://user:pass@example.org/",
    "https://localhost-but-not",
    "https://example",
    "xhttps://example.org",
    "ftp://example.org",
    "//example.org",
    "https:/example.org",
  ];
  for (const text of none) {
    assert.deepEqual(links(text), [], text);
    assert.deepEqual(textParts(text), [{ type: "text", text }], text);
  }
  const cut: [string, string][] = [
    ['https://example.org/"onmouseover="alert(1)', "https://example.org/"],
    ["https://example.org/'onclick='alert(1)'", "https://example.org/"],
    ["https://example.org/<script>alert(1)</script>", "https://example.org/"],
    ["https://example.org/`x`", "https://example.org/"],
    ["https://example.org/\\evil", "https://example.org/"],
    ["https://example.org/a b", "https://example.org/a"],
  ];
  for (const [text, href] of cut) assert.deepEqual(findLinks(text).map((link) => link.href), [href], text);
  assert.equal(safeHref("javascript://example.org/%0Aalert(1)"), undefined);
  assert.equal(safeHref("https://example.org/%22%3E%3Cscript%3E"), "https://example.org/%22%3E%3Cscript%3E");
});

Deno.test("my name as a word is a mention, folded as names are compared; part of a word is not", () => {
  assert.ok(mentions("hi Ana!", "Ana"));
  assert.ok(mentions("ANA: look", "ana"));
  assert.ok(mentions("@ana.", "Ana"));
  assert.ok(mentions("ｈｉ Ａｎａ", "Ana"), "full-width folds (NFKC)");
  assert.ok(mentions("STRASSE?", "Straße"), "case folding beyond toLowerCase");
  assert.ok(mentions("ping j.doe.", "j.doe"));
  assert.ok(!mentions("Anastasia and banana", "Ana"));
  assert.ok(!mentions("hi Ana", undefined));
  assert.ok(!mentions("https://example.org/Ana", "Ana"), "inside a link");
  assert.deepEqual(textParts("hey ana, see https://x.example", "Ana"), [
    { type: "text", text: "hey " },
    { type: "mention", text: "ana" },
    { type: "text", text: ", see " },
    { type: "link", text: "https://x.example", href: "https://x.example/" },
  ]);
});
