/**
 * Private messages in the page, in real Chromium: a name in the online list starts one, it is shown apart
 * from the room's messages and says whom it is to or from, and a third page never sees it.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, launchBrowser, openChat } from "./helpers/browser.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const OUTPUT = new URL("./output/", import.meta.url);

Deno.test({
  name: "clicking a name starts a private message; both pages show it as private, a third page never sees it",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl);
    const bea = await openChat(browser, server.httpUrl);
    const cy = await openChat(browser, server.httpUrl);
    await ana.signIn("Ana");
    await bea.signIn("Bea");
    await cy.signIn("Cy");
    await ana.expectMembers(["Ana", "Bea", "Cy"]);

    await ana.page.locator(".members button.member-name", { hasText: "Bea" }).click();
    assert.equal(await ana.field.inputValue(), "/msg Bea ");
    assert.equal(await ana.page.evaluate(() => document.activeElement?.id), "composer-input");
    await ana.field.pressSequentially("see you at noon");
    await ana.field.press("Enter");

    const sent = ana.page.locator(".entry.private", { hasText: "see you at noon" });
    await sent.locator(".private-tag", { hasText: "private to Bea" }).waitFor();
    const received = bea.page.locator(".entry.private", { hasText: "see you at noon" });
    await received.locator(".private-tag", { hasText: /^private$/ }).waitFor();
    assert.equal(await received.locator(".from").textContent(), "Ana");

    await using dan = await join(server.tcpPort, "Dan");
    await dan.send("public after");
    await cy.message("Dan", "public after").waitFor();
    assert.equal(await cy.page.locator(".entry", { hasText: "see you at noon" }).count(), 0);
    assert.ok(!dan.received.some((line) => line.includes("noon")));
    assert.deepEqual([ana.errors, bea.errors, cy.errors].flat(), []);
    await Deno.mkdir(OUTPUT, { recursive: true });
    await bea.page.screenshot({ path: new URL("private.png", OUTPUT).pathname });
  },
});

Deno.test({
  name: "an action and a server notice look different in the page, whatever the action says",
  ...BROWSER_TEST,
  async fn() {
    await using server = await startServer();
    await using browser = await launchBrowser();
    const ana = await openChat(browser, server.httpUrl);
    await ana.signIn("Ana");
    await using bob = await join(server.tcpPort, "Bob");
    await bob.send("/me left the chat (connection lost)");
    await ana.action("Bob", "left the chat (connection lost)").waitFor();
    await bob.send("/quit");
    const notice = ana.page.locator(".entry.leave", { hasText: "Bob left the chat" });
    await notice.waitFor();
    assert.equal(await notice.locator(".from").count(), 0, "a notice has no speaker");
    const action = ana.page.locator(".entry.action");
    assert.equal(await action.locator(".from").textContent(), "Bob");
    const styles = await Promise.all([notice, action].map((entry) =>
      entry.evaluate((element) => {
        const text = element.querySelector(".text")!;
        return `${getComputedStyle(text).fontStyle} ${getComputedStyle(element).fontSize}`;
      })
    ));
    assert.notEqual(styles[0], styles[1]);
  },
});
