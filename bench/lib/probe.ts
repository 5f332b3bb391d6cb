/**
 * Does the web door serve sessions and SSE streams yet? Signs one member in on a throwaway server and
 * opens its stream; the SSE scenarios run only when both work.
 *
 * @example
 * ```ts
 * if (await webApiWorks()) console.log("SSE scenarios on");
 * ```
 */
import { startOurs } from "./procs.ts";

export async function webApiWorks(): Promise<boolean> {
  await using server = await startOurs();
  const base = `http://127.0.0.1:${server.httpPort}`;
  try {
    const session = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ name: "probe" }),
    });
    await session.body?.cancel();
    const cookie = session.headers.get("set-cookie")?.match(/chat_session=[^;]+/)?.[0];
    if (!session.ok || !cookie) return false;
    const events = await fetch(`${base}/api/events`, {
      headers: { cookie, accept: "text/event-stream" },
      signal: AbortSignal.timeout(5000),
    });
    const ok = events.ok && (events.headers.get("content-type") ?? "").startsWith("text/event-stream");
    await events.body?.cancel();
    return ok;
  } catch {
    return false;
  }
}
