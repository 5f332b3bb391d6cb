/**
 * A raw IRC client for tests, over the TCP test client: lines go out with CR LF, and come back without
 * their CR, so a test matches exactly what the server said.
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * import { registerIrc } from "./irc_client.ts";
 * export async function anaJoins(): Promise<void> {
 *   await using server = await startServer(["--irc-port", "0"]);
 *   await using ana = await registerIrc(server.ircPort!, "Ana");
 *   await ana.send("PRIVMSG #chat :hello");
 * }
 * ```
 */
import { connectTcp, DEFAULT_TIMEOUT_MS, type LineMatch, type TcpClient } from "./tcp_client.ts";

export class IrcClient implements AsyncDisposable {
  constructor(readonly tcp: TcpClient) {}

  /** Sends one line, CR LF added. */
  send(line: string): Promise<void> {
    return this.tcp.sendRaw(line + "\r\n");
  }

  /** Consumes lines (without their CR) until one matches, and returns it. */
  expect(match: LineMatch, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const test = typeof match === "string"
      ? (line: string) => line === match
      : match instanceof RegExp
      ? (line: string) => match.test(line)
      : match;
    return this.tcp.expectLine((line) => test(line.replace(/\r$/, "")), timeoutMs).then((line) =>
      line.replace(/\r$/, "")
    );
  }

  /** Consumes lines up to and including the next match; returns them all, without CRs. */
  async until(match: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    const lines = await this.tcp.linesUntil((line) => match.test(line.replace(/\r$/, "")), timeoutMs);
    return lines.map((line) => line.replace(/\r$/, ""));
  }

  /** Every line so far, without CRs. */
  get received(): string[] {
    return this.tcp.received.map((line) => line.replace(/\r$/, ""));
  }

  closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    return this.tcp.closed(timeoutMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.tcp[Symbol.asyncDispose]();
  }
}

export async function connectIrc(port: number): Promise<IrcClient> {
  return new IrcClient(await connectTcp(port));
}

/**
 * Connects and registers as `nick` (negotiating `caps` first when given), and waits until the member is
 * in the channel: its names list has ended.
 */
export async function registerIrc(port: number, nick: string, caps: string[] = []): Promise<IrcClient> {
  const client = await connectIrc(port);
  if (caps.length > 0) {
    await client.send("CAP LS 302");
    await client.send(`NICK ${nick}`);
    await client.send(`USER ${nick.toLowerCase()} 0 * :${nick} tester`);
    await client.send(`CAP REQ :${caps.join(" ")}`);
    await client.expect(/ CAP \S+ ACK /);
    await client.send("CAP END");
  } else {
    await client.send(`NICK ${nick}`);
    await client.send(`USER ${nick.toLowerCase()} 0 * :${nick} tester`);
  }
  await client.expect(/ 366 /);
  return client;
}
