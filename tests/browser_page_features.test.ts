/**
 * What makes the page one to keep open all day, in real Chromium against the real server: links that open
 * safely (and hostile ones that stay text), mentions highlighted, the unread count and marker while the tab
 * is hidden, opt-in notifications, and older history loaded by scrolling up, never showing another
 * member's private messages.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BROWSER_TEST, type ChatPage, type ChatPageOptions, launchBrowser, openChat } from "./helpers/browser.ts";
import { startServer } from "./helpers/server.ts";
import { SqliteStore } from "../server/store/sqlite.ts";
import { join, type TcpClient } from "./helpers/tcp_client.ts";

const FLOOD = ["--flood-burst", "1000", "--flood-rate", "1000"];
const OUTPUT = new URL("./output/", import.meta.url);
const REL = "noopener noreferrer nofollow";

/** A server, Ana signed in on the page in Chromium (opened with `options`), and Bob on the TCP door. */
async function anaAndBob(
  options?: ChatPageOptions,
): Promise<AsyncDisposable & { ana: ChatPage; bob: TcpClient }> {
  await using started = new AsyncDisposableStack();
  const server = started.use(await startServer(FLOOD));
  const browser = started.use(await launchBrowser());
  const ana = await openChat(browser, server.httpUrl, options);
  await ana.signIn("Ana");
  const bob = started.use(await join(server.tcpPort, "Bob"));
  const all = started.move();
  return { ana, bob, [Symbol.asyncDispose]: () => all.disposeAsync() };
}

/** Hides or shows the page as switching tabs does (headless Chromium is always "visible" by itself). */
function setVisibility(page: Page, state: "hidden" | "visible"): Promise<void> {
  return page.evaluate((state) => {
    Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
    Object.defineProperty(document, "hidden", { value: state === "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

/** Counts `new Notification(…)` and `Notification.requestPermission()` in the page. */
function countNotifications(): void {
  const Real = globalThis.Notification;
  const seen = { shown: [] as { title: string; body?: string }[], asked: 0 };
  Object.assign(globalThis, { __notifications: seen });
  const counting = new Proxy(Real, {
    construct(target, args: [string, NotificationOptions?]) {
      seen.shown.push({ title: args[0], body: args[1]?.body });
      return Reflect.construct(target, args);
    },
    get(target, property) {
      if (property === "requestPermission") {
        return () => {
          seen.asked++;
          return Real.requestPermission();
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  Object.defineProperty(globalThis, "Notification", { value: counting, configurable: true, writable: true });
}

function notifications(page: Page): Promise<{ shown: { title: string; body?: string }[]; asked: number }> {
  return page.evaluate(() =>
    (globalThis as unknown as { __notifications: { shown: { title: string; body?: string }[]; asked: number } })
      .__notifications
  );
}

Deno.test({
  name: "a link in a message opens in a new tab with no opener; hostile URLs stay text or a safe link",
  ...BROWSER_TEST,
  async fn() {
    await using room = await anaAndBob({
      prepare: (context) => context.route("https://example.org/**", (route) => route.fulfill({ body: "elsewhere" })),
    });
    const { ana, bob } = room;
    const hostile = [
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "https://exаmple.org/login",
      "https://xn--exmple-4nf.org/",
      "https://google.com@evil.example/",
      "https://exa\u200Bmple.org",
      'https://example.org/x"><img src=x onerror=alert(1)>',
      "https://example.org/y'onmouseover='alert(1)",
      "<a href=javascript:alert(1)>https://example.org/z</a>",
    ];
    for (const text of hostile) await bob.send(text);
    await bob.send("docs at https://example.org/docs, see you");
    const good = ana.message("Bob", "docs at https://example.org/docs, see you");
    await good.waitFor();

    const link = good.locator("a");
    assert.equal(await link.count(), 1);
    assert.equal(await link.textContent(), "https://example.org/docs");
    assert.equal(await link.getAttribute("href"), "https://example.org/docs");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.equal(await link.getAttribute("rel"), REL);
    const [opened] = await Promise.all([ana.page.context().waitForEvent("page"), link.click()]);
    await opened.waitForLoadState();
    assert.equal(opened.url(), "https://example.org/docs");
    assert.equal(await opened.evaluate(() => globalThis.opener), null, "the new tab cannot reach back");
    await opened.close();

    for (const text of hostile.slice(0, 6)) {
      const entry = ana.message("Bob", text);
      await entry.waitFor();
      assert.equal(await entry.locator("a").count(), 0, `${text} stays text`);
    }
    const links = await ana.page.locator(".messages a").evaluateAll((elements) =>
      elements.map((a) => ({
        href: a.getAttribute("href"),
        text: a.textContent,
        rel: a.getAttribute("rel"),
        target: a.getAttribute("target"),
      }))
    );
    assert.deepEqual(links.map((link) => link.href), [
      "https://example.org/x",
      "https://example.org/y",
      "https://example.org/z",
      "https://example.org/docs",
    ]);
    for (const { href, text, rel, target } of links) {
      assert.equal(text, href, "a link reads as what it opens");
      assert.deepEqual([rel, target], [REL, "_blank"]);
    }
    assert.equal(await ana.page.locator(".messages img, .messages script, .messages [onerror]").count(), 0);
    assert.deepEqual(ana.errors, []);
  },
});

Deno.test({
  name: "a message naming me, however it is cased, and a private message to me are highlighted; others are not",
  ...BROWSER_TEST,
  async fn() {
    await using room = await anaAndBob();
    const { ana, bob } = room;
    await bob.send("hey ANA, lunch?");
    await bob.send("bananas are not a mention");
    await bob.send("/msg Ana just for you");
    const mention = ana.message("Bob", "hey ANA, lunch?");
    await mention.waitFor();
    assert.match(await mention.getAttribute("class") ?? "", /\bmention\b/);
    assert.equal(await mention.locator("mark.mention-name").textContent(), "ANA");
    const plain = ana.message("Bob", "bananas are not a mention");
    await plain.waitFor();
    assert.doesNotMatch(await plain.getAttribute("class") ?? "", /\bmention\b/);
    const whisper = ana.page.locator(".entry.private", { hasText: "just for you" });
    await whisper.waitFor();
    assert.match(await whisper.getAttribute("class") ?? "", /\bmention\b/);
    const colours = await Promise.all(
      [mention, plain].map((entry) => entry.evaluate((element) => getComputedStyle(element).backgroundColor)),
    );
    assert.notEqual(colours[0], colours[1], "a mention looks different");
    await bob.send("the notes: https://example.org/notes (draft)");
    await ana.message("Bob", "the notes: https://example.org/notes (draft)").waitFor();
    await Deno.mkdir(OUTPUT, { recursive: true });
    await ana.page.screenshot({ path: new URL("mentions.png", OUTPUT).pathname });
  },
});

Deno.test({
  name: "while the tab is hidden the title counts unread messages and a marker shows where they begin",
  ...BROWSER_TEST,
  async fn() {
    await using room = await anaAndBob();
    const { ana, bob } = room;
    await bob.send("before leaving");
    await ana.message("Bob", "before leaving").waitFor();
    assert.equal(await ana.page.title(), "Chatroom");

    await setVisibility(ana.page, "hidden");
    for (const text of ["one", "two", "three"]) await bob.send(text);
    await ana.message("Bob", "three").waitFor();
    await ana.page.waitForFunction(() => document.title === "(3) Chatroom");
    const marker = ana.page.locator(".unread-marker");
    await marker.waitFor();
    const next = await marker.evaluate((element) => element.nextElementSibling?.textContent ?? "");
    assert.match(next, /Bobone$/, "the marker goes right before the first unread message");
    await Deno.mkdir(OUTPUT, { recursive: true });
    await ana.page.screenshot({ path: new URL("unread.png", OUTPUT).pathname });

    await setVisibility(ana.page, "visible");
    assert.equal(await ana.page.title(), "Chatroom", "the title clears as soon as the tab is seen");
    await marker.waitFor({ state: "detached" });
    await bob.send("while looking");
    await ana.message("Bob", "while looking").waitFor();
    assert.equal(await ana.page.title(), "Chatroom");
    assert.equal(await marker.count(), 0);
  },
});

Deno.test({
  name: "notifications: never asked on load; turned on, a mention or a private message raises one while hidden",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer(FLOOD);
    await using browser = await launchBrowser();
    const unasked = await openChat(browser, server.httpUrl, {
      prepare: (context) => context.addInitScript(countNotifications),
    });
    await unasked.signIn("Cy");
    assert.equal((await notifications(unasked.page)).asked, 0, "no permission asked on load");
    await unasked.page.getByRole("button", { name: "Notifications", pressed: false }).waitFor();

    const ana = await openChat(browser, server.httpUrl, {
      prepare: async (context) => {
        await context.grantPermissions(["notifications"], { origin: server.httpUrl });
        await context.addInitScript(countNotifications);
      },
    });
    await ana.signIn("Ana");
    await ana.page.getByRole("button", { name: "Notifications", pressed: false }).click();
    await ana.page.getByRole("button", { name: "Notifications", pressed: true }).waitFor();
    assert.equal(await ana.page.evaluate(() => localStorage.getItem("chat.notifications")), "on");

    await using bob = await join(server.tcpPort, "Bob");
    await setVisibility(ana.page, "hidden");
    await bob.send("just chatting");
    await bob.send("ana: are you there?");
    await bob.send("/msg Ana psst");
    await ana.page.waitForFunction(() => document.title === "(3) Chatroom");
    assert.deepEqual((await notifications(ana.page)).shown, [
      { title: "Bob mentioned you", body: "ana: are you there?" },
      { title: "Bob (private)", body: "psst" },
    ]);
    await setVisibility(ana.page, "visible");
    await bob.send("ana again, but I am looking");
    await ana.message("Bob", "ana again, but I am looking").waitFor();
    assert.equal((await notifications(ana.page)).shown.length, 2, "none while the tab is seen");

    await ana.page.reload();
    await ana.page.getByRole("button", { name: "Notifications", pressed: true }).waitFor();
  },
});

Deno.test({
  name: "scrolling up loads older pages, keeping the place, until the first event; never another's private message",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer([...FLOOD, "--history", "10"]);
    await using browser = await launchBrowser();
    await using bob = await join(server.tcpPort, "Bob");
    await using cy = await join(server.tcpPort, "Cy");
    const total = 130;
    for (let n = 1; n <= total; n++) {
      await bob.send(`line ${n}`);
      if (n % 10 === 0) await bob.send(`/msg Cy secret ${n}`);
    }
    await cy.expectLine(`Bob: line ${total}`);
    const ana = await openChat(browser, server.httpUrl, { viewport: { width: 900, height: 600 } });
    await ana.signIn("Ana");
    await ana.message("Bob", `line ${total}`).waitFor();
    const log = ana.page.getByRole("log");

    // The button first, from the keyboard.
    const button = ana.page.getByRole("button", { name: "Show older messages" });
    await button.focus();
    await ana.page.keyboard.press("Enter");
    await ana.message("Bob", `line ${total - 10}`).waitFor();

    for (let round = 0; round < 20; round++) {
      if (await ana.page.locator(".history-start").count() > 0) break;
      const firstId = await log.evaluate((element) => element.querySelector("[data-id]")!.getAttribute("data-id"));
      await log.evaluate((element) => element.scrollTop = 0);
      await ana.page.waitForFunction(
        (id) =>
          document.querySelector(".history-start") !== null ||
          document.querySelector("[role=log] [data-id]")?.getAttribute("data-id") !== id,
        firstId,
      );
      // The entry that was at the top is still in view, where the reader left it.
      const top = await log.evaluate((element, id) => {
        const entry = element.querySelector(`[data-id="${id}"]`)!;
        return entry.getBoundingClientRect().top - element.getBoundingClientRect().top;
      }, firstId);
      assert.ok(top >= 0 && top < 200, `the entry read before stays in place (${top}px from the top)`);
    }
    await ana.page.locator(".history-start", { hasText: "Start of the history kept" }).waitFor();
    const texts = await ana.page.locator(".entry.message .text").allTextContents();
    assert.deepEqual(texts, Array.from({ length: total }, (_, i) => `line ${i + 1}`), "every line once, in order");
    const first = await ana.page.locator(".entry").first().textContent();
    assert.match(first ?? "", /Bob joined the chat/, "down to the first event");
    assert.equal(await ana.page.locator(".entry", { hasText: "secret" }).count(), 0);
    assert.equal(
      await ana.page.locator("[role=log] .older-entries").getAttribute("aria-live"),
      "off",
      "older entries are not announced",
    );
    assert.ok(await ana.page.locator(".older-entries .entry").count() > 100, "loaded back outside the live part");
    assert.deepEqual(ana.errors, []);
  },
});

Deno.test({
  name: "day separators fall between events of different days in the reader's own time zone",
  ...BROWSER_TEST,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-days-" });
    try {
      const store = SqliteStore.open(`${dir}/chat.db`, { retain: 1000 });
      await store.appendAll([
        { at: Date.UTC(2026, 11, 1, 23, 30), kind: "message", from: "Bob", text: "late on the first (UTC)" },
        { at: Date.UTC(2026, 11, 2, 0, 30), kind: "message", from: "Bob", text: "just after midnight (UTC)" },
        { at: Date.UTC(2026, 11, 2, 6, 0), kind: "message", from: "Bob", text: "morning of the second" },
      ]);
      await store.close();
      await using server = await startServer(["--db", `${dir}/chat.db`]);
      await using browser = await launchBrowser();
      const separators = async (timezoneId: string) => {
        const page = await openChat(browser, server.httpUrl, { timezoneId });
        await page.expectStatus("Not signed in");
        return await page.page.locator(".messages li").evaluateAll((items) =>
          items.filter((item) => item.classList.contains("day-separator") || item.querySelector(".text"))
            .map((item) =>
              item.classList.contains("day-separator")
                ? `-- ${item.textContent}`
                : item.querySelector(".text")!.textContent
            )
        );
      };
      assert.deepEqual(await separators("UTC"), [
        "-- Tuesday, 1 December 2026",
        "late on the first (UTC)",
        "-- Wednesday, 2 December 2026",
        "just after midnight (UTC)",
        "morning of the second",
      ]);
      assert.deepEqual(await separators("America/New_York"), [
        "-- Tuesday, 1 December 2026",
        "late on the first (UTC)",
        "just after midnight (UTC)",
        "-- Wednesday, 2 December 2026",
        "morning of the second",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
