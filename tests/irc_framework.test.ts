/**
 * The IRC door driven by irc-framework, the library The Lounge is built on: registration with CAP,
 * server-time history, messages, actions and private messages both ways, a NICK change, and PINGs from
 * the server answered while the client keeps chatting.
 */
import assert from "node:assert/strict";
import { Client } from "irc-framework";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";
import { DEFAULT_TIMEOUT_MS } from "./helpers/arrivals.ts";

// deno-lint-ignore no-explicit-any
type IrcEvent = Record<string, any>;

/** An irc-framework client that records every event it emits, and waits for the one a test expects. */
class Recorded implements AsyncDisposable {
  readonly events: { name: string; event: IrcEvent }[] = [];
  #waiters: (() => void)[] = [];
  readonly client: InstanceType<typeof Client>;

  constructor(port: number, nick: string, options: Record<string, unknown> = {}) {
    this.client = new Client({
      host: "127.0.0.1",
      port,
      nick,
      username: nick.toLowerCase(),
      gecos: `${nick} via irc-framework`,
      auto_reconnect: false,
      enable_echomessage: true,
      ...options,
    });
    for (const name of ["registered", "join", "quit", "part", "nick", "message", "close", "socket close", "raw"]) {
      this.client.on(name, (event: IrcEvent) => {
        this.events.push({ name, event });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    }
    this.client.connect();
  }

  /** Waits for an event named `name` that `test` accepts (one not yet seen since `from`), and returns it. */
  async expect(name: string, test: (event: IrcEvent) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((entry) => entry.name === name && test(entry.event));
      if (found) return found.event;
      if (Date.now() > deadline) {
        const seen = this.events.filter((e) => e.name === "raw").map((e) =>
          `  ${e.event.from_server ? "<" : ">"} ${e.event.line}`
        );
        throw new Error(`no "${name}" event within ${timeoutMs} ms; lines:\n${seen.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.client.connected) {
      this.client.quit("bye");
      await this.expect("close", () => true, 5000).catch(() => {});
    }
    this.client.connection?.end?.();
  }
}

const SANITIZE = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "irc-framework registers with CAP, gets server-time history, and chats both ways with an nc member",
  ...SANITIZE,
  async fn() {
    await using server = await startServer(["--irc-port", "0"]);
    await using bob = await join(server.tcpPort, "Bob");
    await bob.send("said before");
    await bob.expectLine("Bob: said before");
    await using ana = new Recorded(server.ircPort!, "Ana");
    await ana.expect("registered");
    const caps: string[] = ana.client.network.cap.enabled;
    for (const cap of ["server-time", "message-tags", "echo-message"]) assert.ok(caps.includes(cap), caps.join(" "));
    await ana.expect("join", (event) => event.nick === "Ana" && event.channel === "#chat");
    const history = await ana.expect("message", (event) => event.message === "said before");
    assert.equal(history.nick, "Bob");
    assert.equal(history.target, "#chat");
    assert.equal(typeof history.time, "number", "server-time gives the original time");
    assert.ok(Date.now() - history.time < 60_000 && history.time <= Date.now());
    await bob.expectLine("* Ana joined the chat");

    ana.client.say("#chat", "hello from irc-framework");
    await bob.expectLine("Ana: hello from irc-framework");
    await ana.expect("message", (event) => event.message === "hello from irc-framework" && event.nick === "Ana");
    ana.client.action("#chat", "waves");
    await bob.expectLine("~ Ana waves");
    await bob.send("hello Ana");
    const got = await ana.expect("message", (event) => event.message === "hello Ana");
    assert.equal(got.type, "privmsg");
    assert.equal(got.nick, "Bob");
    await bob.send("/me smiles");
    const action = await ana.expect("message", (event) => event.type === "action" && event.message === "smiles");
    assert.equal(action.nick, "Bob");

    ana.client.say("Bob", "a secret");
    await bob.expectLine("[private] Ana: a secret");
    await bob.send("/msg Ana a secret back");
    const secret = await ana.expect("message", (event) => event.message === "a secret back");
    assert.equal(secret.target, "Ana");
  },
});

Deno.test({
  name: "irc-framework changes its nick: the room shows the new name, messages follow it",
  ...SANITIZE,
  async fn() {
    await using server = await startServer(["--irc-port", "0"]);
    await using bob = await join(server.tcpPort, "Bob");
    await using ana = new Recorded(server.ircPort!, "Ana");
    await ana.expect("join", (event) => event.nick === "Ana");
    ana.client.changeNick("Anya");
    const nick = await ana.expect("nick", (event) => event.nick === "Ana");
    assert.equal(nick.new_nick, "Anya");
    assert.equal(ana.client.user.nick, "Anya");
    await bob.expectLine("* Ana left the chat");
    await bob.expectLine("* Anya joined the chat");
    ana.client.say("#chat", "renamed");
    await bob.expectLine("Anya: renamed");
    await bob.send("/msg Anya to the new name");
    await ana.expect("message", (event) => event.message === "to the new name" && event.target === "Anya");
    ana.client.changeNick("Bob");
    await ana.expect("raw", (event) => / 433 Anya Bob /.test(event.line));
  },
});

Deno.test({
  name: "irc-framework answers the server's PINGs and stays; a client that stops is dropped as connection lost",
  ...SANITIZE,
  async fn() {
    await using server = await startServer(["--irc-port", "0", "--irc-ping", "0.3"]);
    await using bob = await join(server.tcpPort, "Bob");
    await using ana = new Recorded(server.ircPort!, "Ana");
    await ana.expect("join", (event) => event.nick === "Ana");
    await ana.expect("raw", (event) => event.from_server && /^PING /.test(event.line));
    await ana.expect("raw", (event) => !event.from_server && /^PONG /.test(event.line));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    ana.client.say("#chat", "still here after the pings");
    await bob.expectLine("Ana: still here after the pings");
    // The same client stops answering: the server drops it after its timeout.
    ana.client.connection.transport.socket.pause();
    ana.client.off?.("raw");
    await bob.expectLine("* Ana left the chat (connection lost)", 10_000);
  },
});
