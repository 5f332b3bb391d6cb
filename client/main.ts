/**
 * The terminal client of the chat's TCP door: `deno task client [--host H] [--port P] [--name N]`.
 * A full-screen line editor when run in a terminal; lines in, lines out otherwise.
 */
import { ArgsError, parseClientArgs, USAGE } from "./args.ts";
import { InputQueue } from "./input_queue.ts";
import { connectLines, type Endpoint } from "./line_conn.ts";
import { PlainScreen } from "./plain_screen.ts";
import { Session } from "./session.ts";
import { TtyScreen } from "./tty_screen.ts";

/** An unreachable host (packets dropped) counts as offline after this long, instead of the OS's minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let options;
  try {
    options = parseClientArgs(Deno.args);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const endpoint: Endpoint = { hostname: options.host, port: options.port, maxLine: options.maxLine };
  if (options.tls) {
    try {
      endpoint.tls = { caCerts: options.ca === undefined ? undefined : [await Deno.readTextFile(options.ca)] };
    } catch (error) {
      console.error(`error: cannot read --ca ${options.ca}: ${error instanceof Error ? error.message : error}`);
      Deno.exit(2);
    }
  }
  const input = new InputQueue();
  const terminal = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const screen = terminal ? new TtyScreen(input) : new PlainScreen(input);
  const session = new Session({
    connect: () => connectLines(endpoint, CONNECT_TIMEOUT_MS),
    sleep,
    random: Math.random,
    now: () => new Date(),
    screen,
    input,
    colour: Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR"),
    rejoinWaitMs: options.rejoinWaitMs,
  }, options.name);
  const interrupt = () => session.interrupt();
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.addSignalListener("SIGTERM", interrupt);
  screen.start(interrupt).catch(() => input.push({ end: true }));
  await session.run();
  screen.close();
  Deno.exit(0);
}
