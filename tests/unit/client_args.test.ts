import assert from "node:assert/strict";
import { ArgsError, DEFAULT_MAX_LINE, parseClientArgs } from "../../client/args.ts";

Deno.test("without flags the client goes to the local server's TCP door and asks for a name", () => {
  assert.deepEqual(parseClientArgs([]), {
    host: "127.0.0.1",
    port: 60000,
    name: undefined,
    tls: false,
    ca: undefined,
    maxLine: 2048,
    rejoinWaitMs: 30_000,
  });
});

Deno.test("--host, --port and --name are taken as given (the name trimmed)", () => {
  assert.deepEqual(
    parseClientArgs(["--host", "chat.example", "--port", "6000", "--name", " Ana "]),
    { host: "chat.example", port: 6000, name: "Ana", tls: false, ca: undefined, maxLine: 2048, rejoinWaitMs: 30_000 },
  );
  assert.equal(parseClientArgs(["--port=7"]).port, 7);
});

Deno.test("a bad port, an unknown flag or a stray word is refused with a reason", () => {
  for (const args of [["--port", "0"], ["--port", "65536"], ["--port", "http"], ["--nmae", "x"], ["Ana"]]) {
    assert.throws(() => parseClientArgs(args), ArgsError, args.join(" "));
  }
});

Deno.test("--tls speaks TLS to the TLS port by default, and --ca names a certificate to trust", () => {
  assert.deepEqual(parseClientArgs(["--tls"]), {
    host: "127.0.0.1",
    port: 60001,
    name: undefined,
    tls: true,
    ca: undefined,
    maxLine: 2048,
    rejoinWaitMs: 30_000,
  });
  assert.equal(parseClientArgs(["--tls", "--port", "7000", "--ca", "ca.pem"]).ca, "ca.pem");
  assert.throws(() => parseClientArgs(["--ca", "ca.pem"]), /--ca goes with --tls/);
});

Deno.test("--max-line takes the server's own, when it was changed; it defaults to the server's default", () => {
  assert.equal(parseClientArgs([]).maxLine, DEFAULT_MAX_LINE);
  assert.equal(parseClientArgs(["--max-line", "65536"]).maxLine, 65536);
  for (const bad of ["0", "-1", "2k", ""]) {
    assert.throws(() => parseClientArgs(["--max-line", bad]), ArgsError, bad);
  }
});

Deno.test("--rejoin-wait is how long a rejoin asks for its own name, in seconds; 0 gives it up at once", () => {
  assert.equal(parseClientArgs(["--rejoin-wait", "0"]).rejoinWaitMs, 0);
  assert.equal(parseClientArgs(["--rejoin-wait", "2.5"]).rejoinWaitMs, 2500);
  for (const bad of ["-1", "soon", "", "3601"]) {
    assert.throws(() => parseClientArgs(["--rejoin-wait", bad]), ArgsError, bad);
  }
});
