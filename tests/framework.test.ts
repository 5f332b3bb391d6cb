/**
 * The Fresh-style framework on its own, driven through `app.request()` with a fixture app that has
 * nothing of the chat: the route table from files, middleware per folder, pages with data, islands with
 * safely serialized props, and pages without islands that ship no JavaScript.
 */
import assert from "node:assert/strict";
import type { MiddlewareHandler } from "hono";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { createApp } from "../framework/app.ts";
import { routePattern, scanRoutes } from "../framework/fs_routes.ts";
import { collectIslands, scanIslands, serializeProps } from "../framework/island.ts";
import type { FixtureEnv } from "./fixtures/env.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

function fixtureApp() {
  const stamp: MiddlewareHandler<FixtureEnv> = async (c, next) => {
    c.set("history", 20);
    await next();
    c.header("X-Stamp", "1");
  };
  return createApp<FixtureEnv>({
    routes: new URL("routes/", FIXTURES),
    islands: new URL("islands/", FIXTURES),
    static: new URL("static/", FIXTURES),
    config: new URL("../../deno.json", FIXTURES),
  }, [stamp]);
}

Deno.test("route files map to Hono patterns", () => {
  assert.equal(routePattern("index.tsx"), "/");
  assert.equal(routePattern("about.tsx"), "/about");
  assert.equal(routePattern("users/[id].ts"), "/users/:id");
  assert.equal(routePattern("users/[id]/index.tsx"), "/users/:id");
  assert.equal(routePattern("files/[...path].ts"), "/files/:path{.+}");
  assert.equal(routePattern("api/messages.ts"), "/api/messages");
  assert.equal(routePattern("_app.tsx"), undefined);
  assert.equal(routePattern("api/_middleware.ts"), undefined);
  assert.equal(routePattern("_private/hidden.ts"), undefined);
});

Deno.test("the route table is built from the folder, most specific first", async () => {
  const table = await scanRoutes(new URL("routes/", FIXTURES));
  assert.deepEqual(table.routes.map((route) => [route.pattern, route.file]), [
    ["/", "index.tsx"],
    ["/counter", "counter.tsx"],
    ["/greet", "greet.tsx"],
    ["/api/items", "api/items.ts"],
    ["/users/new", "users/new.ts"],
    ["/users/:id", "users/[id].ts"],
    ["/files/:path{.+}", "files/[...path].ts"],
  ]);
  assert.equal(typeof table.app, "function");
  assert.equal(table.routes.find((route) => route.pattern === "/api/items")!.middleware.length, 1);
  assert.equal(table.routes.find((route) => route.pattern === "/greet")!.middleware.length, 0);
});

Deno.test("handlers answer by method, params and rest segments reach them, others get 405 JSON", async () => {
  const app = await fixtureApp();
  assert.equal(await (await app.request("/users/42", { method: "PUT" })).text(), "user 42 via PUT");
  assert.equal(await (await app.request("/users/new")).text(), "new user form");
  assert.equal(await (await app.request("/files/a/b.txt")).text(), "file a/b.txt");
  const items = await app.request("/api/items");
  assert.deepEqual(await items.json(), { items: [], history: 20 });
  assert.equal(items.headers.get("X-Api"), "1", "the api folder's middleware ran");
  const denied = await app.request("/api/items", { method: "DELETE" });
  assert.equal(denied.status, 405);
  assert.deepEqual(await denied.json(), { error: "method not allowed" });
  assert.equal(denied.headers.get("Allow"), "GET, POST, HEAD");
  assert.equal((await app.request("/helper")).status, 404);
  assert.equal((await app.request("/_private/hidden")).status, 404);
});

Deno.test("a page without islands is server-rendered in the app shell and ships no script", async () => {
  const app = await fixtureApp();
  const response = await app.request("/greet?name=<Ana>");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("X-Greet"), "yes");
  assert.match(response.headers.get("Content-Type")!, /^text\/html/);
  const html = await response.text();
  assert.match(html, /^<!DOCTYPE html><html lang="en"><head><title>fixture<\/title>/);
  assert.match(html, /<p>Hello, &lt;Ana>!<\/p>/);
  assert.doesNotMatch(html, /<script/);
});

Deno.test("the app's middleware runs in front of every response: routes, static files, islands, 404s", async () => {
  const app = await fixtureApp();
  for (const path of ["/", "/api/items", "/nowhere", "/site.css", "/_islands/0.js"]) {
    const response = await app.request(path);
    await response.body?.cancel();
    assert.equal(response.headers.get("X-Stamp"), "1", path);
  }
});

Deno.test("static files are served with an ETag and revalidate to 304", async () => {
  const app = await fixtureApp();
  const first = await app.request("/site.css");
  assert.equal(first.status, 200);
  assert.match(first.headers.get("Content-Type")!, /^text\/css/);
  assert.equal(await first.text(), await Deno.readTextFile(new URL("static/site.css", FIXTURES)));
  const again = await app.request("/site.css", { headers: { "If-None-Match": first.headers.get("ETag")! } });
  assert.equal(again.status, 304);
});

Deno.test("island props are JSON that cannot close the script element", () => {
  const json = serializeProps([{ text: "</script><script>alert(1)</script>", amp: "a&b", sep: "\u2028" }]);
  assert.doesNotMatch(json, /[<>&\u2028]/);
  assert.deepEqual(JSON.parse(json), [{ text: "</script><script>alert(1)</script>", amp: "a&b", sep: "\u2028" }]);
  assert.throws(() => serializeProps([{ onClick: () => {} }]), /island prop "onClick" is a function/);
  assert.throws(() => serializeProps([{ children: h("b", null) }]), /island prop "children" is JSX/);
});

Deno.test("an island renders inside its marker and records its props; nested islands are not marked", async () => {
  const islands = await scanIslands(new URL("islands/", FIXTURES));
  assert.deepEqual(islands.map((island) => island.name), ["Counter", "Panel.Panel"]);
  const [Counter, Panel] = islands.map((island) => island.component);
  const two = collectIslands(() =>
    renderToString(h("div", null, h(Counter, { start: 1, label: "a" }), h(Counter, { start: 2, label: "b" })))
  );
  assert.match(two.value, /^<div><div data-island="Counter" data-island-props="0"><p><span class="label">a<\/span>/);
  assert.match(two.value, /<div data-island="Counter" data-island-props="1">/);
  assert.deepEqual(two.islands, [
    { name: "Counter", props: { start: 1, label: "a" } },
    { name: "Counter", props: { start: 2, label: "b" } },
  ]);
  const nested = collectIslands(() => renderToString(h(Panel, { title: "outer" })));
  assert.deepEqual(nested.islands, [{ name: "Panel.Panel", props: { title: "outer" } }]);
  assert.equal(nested.value.match(/data-island=/g)?.length, 1);
  assert.match(nested.value, /<span class="label">inside<\/span>/);
});

Deno.test("a page with an island ships its props and one immutable, content-hashed bundle", async () => {
  const app = await fixtureApp();
  const html = await (await app.request("/counter")).text();
  assert.match(html, /<output>3<\/output>/, "rendered on the server");
  assert.doesNotMatch(html, /<\/script><script>alert/);
  const props = html.match(/<script type="application\/json" id="__island_props">(.*?)<\/script>/)![1];
  assert.deepEqual(JSON.parse(props), [{ start: 3, label: "</script><script>alert(1)</script>" }]);
  const src = html.match(/<script type="module" src="(\/_islands\/[0-9a-f]{24}\.js)"><\/script><\/body>/)![1];
  const bundle = await app.request(src);
  assert.equal(bundle.status, 200);
  assert.equal(bundle.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  assert.match(bundle.headers.get("Content-Type")!, /^text\/javascript/);
  const code = await bundle.text();
  assert.match(code, /data-island/);
  assert.equal((await app.request("/_islands/000000000000000000000000.js")).status, 404);
});
