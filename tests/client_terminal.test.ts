/**
 * The terminal client in a real terminal (tmux): what arrives scrolls above the line being typed and leaves
 * it, and the cursor, as they were; names are in colour; Ctrl-D leaves.
 */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";
import { Tmux } from "./helpers/tmux.ts";

const MAIN = new URL("../client/main.ts", import.meta.url).pathname;

function client(port: number, name: string): string[] {
  // NO_COLOR from the environment the tests run in would hide the colours this test looks for.
  return [
    "env",
    "-u",
    "NO_COLOR",
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env=NO_COLOR",
    MAIN,
    "--port",
    String(port),
    "--name",
    name,
  ];
}

Deno.test("a message arriving while a line is being typed leaves the typed line and the cursor intact", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  await using term = await Tmux.start(client(server.tcpPort, "Ana"));
  await term.waitFor(/\* Ana joined the chat$/);
  await term.type("half a sent");
  await term.waitFor(/^> half a sent$/);
  await term.press("Left", "Left", "Right");
  await term.waitForCursor("> half a sen".length);

  await bob.send("interrupting you");
  const rows = (await term.waitFor(/^\d\d:\d\d Bob: interrupting you$/)).filter((row) => row !== "");
  assert.equal(rows.at(-1), "> half a sent", "the typed line stays last and whole");
  assert.equal(rows.at(-2)?.replace(/^\d\d:\d\d /, ""), "Bob: interrupting you");
  assert.equal(await term.cursorColumn(), "> half a sen".length, "the cursor is where it was");

  await term.press("End");
  await term.type("ence");
  await term.press("Enter");
  await bob.expectLine("Ana: half a sentence");
  await term.waitFor(/^\d\d:\d\d Ana: half a sentence$/);
  // deno-lint-ignore no-control-regex
  const sgr = /\x1b\[[0-9;]*m/g;
  const coloured = (await term.screen({ colours: true })).find((row) => row.includes("interrupting you")) ?? "";
  assert.equal(coloured.replace(sgr, "").replace(/^\d\d:\d\d /, ""), "Bob: interrupting you");
  assert.ok(coloured.includes("mBob\x1b["), `a name has its colour in a terminal: ${JSON.stringify(coloured)}`);

  await term.press("C-d");
  await bob.expectLine("* Ana left the chat");
  await term.waitFor(/Goodbye!/);
});
