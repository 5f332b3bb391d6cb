/**
 * The page over the web door's connection limits, in real Chromium: a tab whose stream is refused says
 * why, like any other error, and goes online by itself once there is room.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, ChatPage, launchBrowser, openChat } from "./helpers/browser.ts";
import { WebClient } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";

Deno.test({
  name: "a second tab refused a stream on a full server says why, and goes online once there is room",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer(["--max-connections", "2", "--grace", "600"]);
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl);
    await ana.signIn("Ana");
    const bob = new WebClient(server.httpUrl);
    assert.equal((await bob.signIn("Bob")).status, 201, "Bob's sign-in takes the last place");

    const tab = new ChatPage(await ana.page.context().newPage());
    await tab.page.goto(server.httpUrl);
    await tab.fieldError.filter({ hasText: "server full (max 2 connections), try again later" }).waitFor();
    await tab.expectStatus("Reconnecting…");

    assert.equal((await bob.signOut()).status, 204);
    await tab.expectStatus("Online");
    await tab.page.locator(".whoami b", { hasText: /^Ana$/ }).waitFor();
    assert.equal(await tab.fieldError.textContent(), "");
    assert.deepEqual([...ana.errors, ...tab.errors], []);
  },
});
