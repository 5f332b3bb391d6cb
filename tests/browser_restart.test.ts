/**
 * The page across a server restart, in real Chromium: it says the server is shutting down and that it is
 * reconnecting, a send while the server is down keeps the text and says so, and once the server is back on
 * the same ports the page signs in again under the same name by itself and the kept text can be sent.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, launchBrowser, openChat } from "./helpers/browser.ts";
import { freePorts } from "./helpers/ports.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

Deno.test({
  name: "after a restart on the same ports the page is back under the same name and can send again",
  ...BROWSER_TEST,
  async fn() {
    const [tcpPort, httpPort] = freePorts(2);
    const ports = ["--tcp-port", String(tcpPort), "--http-port", String(httpPort)];
    const first = await startServer(ports);
    await using browser = await launchBrowser();
    const ana = await openChat(browser, first.httpUrl);
    try {
      await ana.signIn("Ana");
      await ana.type("before the restart");
      await ana.message("Ana", "before the restart").waitFor();
    } finally {
      await first.stop();
    }

    await ana.page.locator(".entry.notice", { hasText: "Server shutting down — reconnecting…" }).waitFor();
    await ana.expectStatus("Reconnecting…");
    await ana.type("while the server is down");
    await ana.fieldError.filter({ hasText: "Server offline — not sent" }).waitFor();
    assert.equal(await ana.field.inputValue(), "while the server is down", "the text stays in the box");

    await using second = await startServer(ports);
    assert.equal(second.httpUrl, first.httpUrl);
    await ana.expectStatus("Online");
    await ana.page.locator(".whoami b", { hasText: /^Ana$/ }).waitFor();
    await using bob = await join(second.tcpPort, "Bob");
    await ana.expectMembers(["Ana", "Bob"]);

    await ana.button.click();
    await bob.expectLine("Ana: while the server is down");
    await ana.message("Ana", "while the server is down").waitFor();
    await ana.expectField("");
    assert.equal(await ana.fieldError.textContent(), "");
    assert.equal(ana.errors.length, 0, ana.errors.join("\n"));
  },
});
