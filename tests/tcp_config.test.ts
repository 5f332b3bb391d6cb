/** The command line and environment, seen from outside: `--help`, bad input, and `CHAT_*` variables. */
import assert from "node:assert/strict";
import { envName, OPTIONS } from "../server/config.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("--help lists every option with its default and environment variable, and exits 0", async () => {
  const { code, stdout } = await runMain(["--help"]);
  assert.equal(code, 0);
  for (const flag of Object.keys(OPTIONS)) {
    const env = envName(flag);
    assert.match(stdout, new RegExp(`--${flag} .*\\(default [^)]+\\) \\[${env}\\]`), `--${flag} in:\n${stdout}`);
  }
  for (const flag of ["--host", "--tcp-port", "--http-port", "--history", "--max-line", "--flood-burst"]) {
    assert.ok(stdout.includes(flag), `${flag} missing`);
  }
});

Deno.test("an unknown flag exits 2 with the reason and the usage", async () => {
  const { code, stderr } = await runMain(["--no-such-flag"]);
  assert.equal(code, 2);
  assert.match(stderr, /^error: .*no-such-flag/);
  assert.match(stderr, /Usage:/);
});

Deno.test("a bad value exits 2 naming the flag and what it expects", async () => {
  for (
    const [args, reason] of [
      [["--tcp-port", "70000"], /--tcp-port: expected a port from 0 to 65535, got "70000"/],
      [["--history=-1"], /--history: expected a whole number ≥ 0, got "-1"/],
      [["--sendq", "2.5"], /--sendq: expected a whole number ≥ 1, got "2.5"/],
      [["--flood-rate", "fast"], /--flood-rate: expected a number > 0, got "fast"/],
      [["--flood-burst", "0"], /--flood-burst: expected a whole number ≥ 1, got "0"/],
      [["--exempt", "all"], /--exempt: expected loopback or none, got "all"/],
    ] as const
  ) {
    const { code, stderr } = await runMain([...args]);
    assert.equal(code, 2, `${args}: ${stderr}`);
    assert.match(stderr, reason);
  }
});

Deno.test("CHAT_* environment variables configure the server, and flags win over them", async () => {
  const env = { CHAT_MAX_LINE: "16", CHAT_HISTORY: "1" };
  {
    await using server = await startServer([], env);
    await using ana = await join(server.tcpPort, "Ana");
    await ana.send("x".repeat(17));
    await ana.expectLine("! line too long (max 16 bytes), not sent");
  }
  await using server = await startServer(["--max-line", "32"], env);
  await using ana = await join(server.tcpPort, "Ana");
  await ana.send("x".repeat(32));
  await ana.expectLine(`Ana: ${"x".repeat(32)}`);
});

Deno.test("the server prints the port it actually bound when asked for port 0", async () => {
  await using server = await startServer(["--tcp-port", "0"]);
  assert.match(server.output(), new RegExp(`^tcp listening on 127\\.0\\.0\\.1:${server.tcpPort}$`, "m"));
  assert.notEqual(server.tcpPort, 0);
});
