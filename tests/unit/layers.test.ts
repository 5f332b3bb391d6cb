/**
 * The layers stay visible in the imports: the doors reach the room only through the Room (never the store
 * or the directory), the room knows no sockets and no HTTP, and the Fresh-style framework knows nothing
 * of the chat.
 */
import assert from "node:assert/strict";
import { listModules } from "../../framework/files.ts";

const ROOT = new URL("../../", import.meta.url);

/** `folder/file.ts` → the relative specifiers it imports. */
async function importsUnder(folder: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const file of await listModules(new URL(folder, ROOT))) {
    const source = await Deno.readTextFile(new URL(folder + file, ROOT));
    const specifiers = [...source.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
    found.set(folder + file, specifiers);
  }
  return found;
}

async function assertNoImport(folders: string[], forbidden: RegExp, why: string): Promise<void> {
  for (const folder of folders) {
    for (const [file, specifiers] of await importsUnder(folder)) {
      const bad = specifiers.filter((specifier) => forbidden.test(specifier));
      assert.deepEqual(bad, [], `${file} imports ${bad.join(", ")}: ${why}`);
    }
  }
}

Deno.test("no door imports the event store or the directory: delivery goes through the room", async () => {
  await assertNoImport(["server/tcp/", "server/web/", "routes/"], /\/(store|directory)\//, "doors use the Room");
});

Deno.test("the room knows no sockets, no HTTP and no door", async () => {
  await assertNoImport(["server/room/"], /\/(tcp|web|io)\/|^hono|^node:(net|http)/, "the room is the domain");
});

Deno.test("the framework imports nothing of the chat", async () => {
  await assertNoImport(["framework/"], /\/(server|routes|islands|components|common)\//, "the framework is generic");
});

Deno.test("the terminal client imports nothing of the server: what both need lives in common/", async () => {
  await assertNoImport(["client/"], /\/server\//, "the client is its own program");
});
