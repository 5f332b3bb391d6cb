/**
 * The page over the connection limits, in real Chromium: a page whose stream is refused says why, like
 * any other error, and goes online by itself once there is room.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, launchBrowser, openChat } from "./helpers/browser.ts";
import { freePorts } from "./helpers/ports.ts";
import { closeAll, idleConnections } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";

const LIMITS = ["--max-connections", "10", "--header-timeout", "120", "--request-timeout", "120"];

Deno.test({
  name: "a page that finds the server full when it reconnects says why, and goes online once there is room",
  ...BROWSER_TEST,
  async fn() {
    const [tcpPort, httpPort] = freePorts(2);
    const ports = ["--tcp-port", String(tcpPort), "--http-port", String(httpPort)];
    const first = await startServer([...ports, ...LIMITS]);
    await using browser = await launchBrowser();
    const ana = await openChat(browser, first.httpUrl);
    try {
      await ana.signIn("Ana");
    } finally {
      await first.stop();
    }
    await ana.expectStatus("Reconnecting…");

    // The page stays away until the new server is full: every place taken by a connection that sends nothing.
    await ana.page.context().setOffline(true);
    await using second = await startServer([...ports, ...LIMITS]);
    const fill = await idleConnections(second.httpPort!, 10);
    try {
      await ana.page.context().setOffline(false);
      await ana.fieldError.filter({ hasText: "server full (max 10 connections), try again later" }).waitFor();
      await ana.expectStatus("Reconnecting…");
    } finally {
      closeAll(fill);
    }

    await ana.expectStatus("Online");
    await ana.page.locator(".whoami b", { hasText: /^Ana$/ }).waitFor();
    assert.equal(await ana.fieldError.textContent(), "");
    assert.deepEqual(ana.errors, []);
  },
});
