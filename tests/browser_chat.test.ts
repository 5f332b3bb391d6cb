/**
 * The chat page in real Chromium against the real server: signing in, talking with a terminal user
 * over TCP, two browsers together, the online list, and what the page shows before any script runs.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, launchBrowser, openChat } from "./helpers/browser.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const OUTPUT = new URL("./output/", import.meta.url);

Deno.test({
  name: "a page signs in and talks with a TCP user both ways, its own messages shown once",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl);
    await ana.signIn("Ana");
    await using bob = await join(server.tcpPort, "Bob");
    await ana.entry("Bob joined the chat").waitFor();
    await ana.expectMembers(["Ana", "Bob"]);

    await ana.type("hello from the browser");
    await bob.expectLine("Ana: hello from the browser");
    await ana.expectField("");
    await bob.send("hello from the terminal <b>bold?</b>");
    await ana.message("Bob", "hello from the terminal <b>bold?</b>").waitFor();
    assert.equal(await ana.page.locator(".entry.message b").count(), 0, "text is never HTML");
    assert.equal(await ana.message("Ana", "hello from the browser").count(), 1, "own message once, as echoed");

    await ana.type("/me waves");
    await bob.expectLine("~ Ana waves");
    await ana.action("Ana", "waves").waitFor();
    await ana.type("/who");
    await ana.entry(/2 online:\s+Ana \(web\)\s+Bob \(tcp\)/).waitFor();
    assert.equal(ana.errors.length, 0, ana.errors.join("\n"));

    await Deno.mkdir(OUTPUT, { recursive: true });
    await ana.page.screenshot({ path: new URL("chat.png", OUTPUT).pathname });
    const phone = await openChat(browser, server.httpUrl, { viewport: { width: 390, height: 844 } });
    await phone.signIn("Cleo");
    await phone.message("Bob", "hello from the terminal <b>bold?</b>").waitFor();
    await phone.page.screenshot({ path: new URL("chat-phone.png", OUTPUT).pathname });
  },
});

Deno.test({
  name: "two pages see each other's messages, and the online list follows joins and leaves from both doors",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl);
    const bea = await openChat(browser, server.httpUrl);
    await ana.signIn("Ana");
    await bea.signIn("Bea");
    await ana.expectMembers(["Ana", "Bea"]);
    await bea.expectMembers(["Ana", "Bea"]);

    await bea.type("hi Ana");
    await ana.message("Bea", "hi Ana").waitFor();
    await bea.message("Bea", "hi Ana").waitFor();

    const cy = await join(server.tcpPort, "Cy");
    await ana.expectMembers(["Ana", "Bea", "Cy"]);
    await bea.expectMembers(["Ana", "Bea", "Cy"]);
    await cy.send("/quit");
    await ana.expectMembers(["Ana", "Bea"]);
    cy.close();

    await bea.page.getByRole("button", { name: "Leave" }).click();
    await bea.expectStatus("Not signed in");
    await ana.entry("Bea left the chat").waitFor();
    await ana.expectMembers(["Ana"]);
  },
});

Deno.test({
  name: "a name taken through the other door is refused next to the field",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    await using _ana = await join(server.tcpPort, "Ana");
    const page = await openChat(browser, server.httpUrl);
    await page.expectStatus("Not signed in");
    await page.type("ana");
    await page.fieldError.filter({ hasText: 'the name "Ana" is taken, choose another' }).waitFor();
    assert.equal(await page.button.textContent(), "Sign in");
    assert.equal(await page.field.inputValue(), "ana", "the name stays in the field to edit");
  },
});

Deno.test({
  name: "the recent history and who is online are in the HTML before any script runs",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using dan = await join(server.tcpPort, "Dan");
    await dan.send("first words <script>alert(1)</script>");
    await dan.expectLine("Dan: first words <script>alert(1)</script>");

    const html = await (await fetch(server.httpUrl + "/")).text();
    assert.match(
      html,
      /<span class="from[^"]*">Dan<\/span><span class="text">first words &lt;script>alert\(1\)&lt;\/script><\/span>/,
    );
    assert.match(html, /<span class="member-name">Dan<\/span>/);
    assert.match(html, /Online <span class="count">1<\/span>/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /<noscript><p class="noscript">JavaScript is off/);

    await using browser = await launchBrowser();
    const page = await openChat(browser, server.httpUrl, { javaScriptEnabled: false });
    await page.message("Dan", "first words <script>alert(1)</script>").waitFor();
    assert.deepEqual(await page.members.allTextContents(), ["Dan"]);
  },
});

Deno.test({
  name: "a browser that forbids site storage still signs in, listens and talks",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl, { storage: false });
    await ana.signIn("Ana"); // waits for "Online": the stream opened although the name could not be kept
    await using bob = await join(server.tcpPort, "Bob");
    await ana.type("hello without storage");
    await bob.expectLine("Ana: hello without storage");
  },
});

Deno.test({
  name: "the view follows new messages unless the reader scrolled up, then offers a way back down",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer(["--flood-burst", "100"]);
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl, { viewport: { width: 800, height: 500 } });
    await ana.signIn("Ana");
    await using bob = await join(server.tcpPort, "Bob");
    for (let i = 1; i <= 40; i++) await bob.send(`line ${i}`);
    await ana.message("Bob", "line 40").waitFor();
    const log = ana.page.getByRole("log");
    const followsToBottom = () =>
      ana.page.waitForFunction(() => {
        const e = document.querySelector("[role=log]")!;
        return e.scrollHeight - e.scrollTop - e.clientHeight < 2;
      });
    await followsToBottom();

    // Scroll events are dispatched on a later frame: wait for it (the island's listener runs first), so
    // the island knows the reader scrolled up before the next message arrives.
    await log.evaluate((e) =>
      new Promise<void>((resolve) => {
        e.addEventListener("scroll", () => requestAnimationFrame(() => resolve()), { once: true });
        e.scrollTop = 0;
      })
    );
    await bob.send("line 41");
    await ana.message("Bob", "line 41").waitFor();
    await ana.page.getByRole("button", { name: "New messages ↓" }).waitFor();
    assert.equal(await log.evaluate((e) => e.scrollTop), 0, "a reader who scrolled up stays where they are");

    await ana.page.getByRole("button", { name: "New messages ↓" }).click();
    await followsToBottom();
    await bob.send("line 42");
    await ana.message("Bob", "line 42").waitFor();
    await followsToBottom();
  },
});
