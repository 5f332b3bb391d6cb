/** The API's forgery guard, in-process through Hono's app.request. */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { originProblem, sameOriginOnly } from "../../server/web/origin.ts";

const URL_ = "http://127.0.0.1:8000/api/messages";
const request = (method: string, origin?: string) =>
  new Request(URL_, { method, headers: origin === undefined ? {} : { Origin: origin } });

Deno.test("reads are never refused; a state change needs an Origin naming the request's own host and port", () => {
  for (const method of ["GET", "HEAD", "OPTIONS"]) assert.equal(originProblem(request(method)), undefined, method);
  assert.equal(originProblem(request("POST", "http://127.0.0.1:8000")), undefined);
  assert.equal(originProblem(request("POST", "https://127.0.0.1:8000")), undefined, "the scheme is not compared");
  assert.equal(originProblem(request("POST")), "missing Origin header, request refused");
  for (const origin of ["http://127.0.0.1:8001", "http://evil.example", "null", "not a url"]) {
    assert.equal(originProblem(request("DELETE", origin)), "cross-origin request refused", origin);
  }
});

Deno.test("the middleware answers a forged request 403 with a JSON error and lets the real one through", async () => {
  const app = new Hono().use(sameOriginOnly()).post("/api/messages", (c) => c.json({}, 202));
  const forged = await app.request(request("POST", "http://evil.example"));
  assert.equal(forged.status, 403);
  assert.deepEqual(await forged.json(), { error: "cross-origin request refused" });
  assert.equal((await app.request(request("POST", "http://127.0.0.1:8000"))).status, 202);
});
