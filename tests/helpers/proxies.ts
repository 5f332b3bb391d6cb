/**
 * Real nginx and HAProxy in front of the server, for tests: each runs from a config file of its own in a
 * temporary folder (pid file, error log and temporary files in it too, never /etc or the default ports),
 * listens on loopback only, and is stopped and its folder removed when disposed. The configs are the
 * README's own blocks ({@link readmeBlock}) with their ports changed ({@link withPorts}). Clients can come
 * from another loopback address (127.0.0.2, …), as clients behind a proxy come from addresses of their own:
 * {@link connectFrom} for the TCP door, `Deno.createHttpClient({ localAddress })` for the web door.
 *
 * @example
 * ```ts
 * import { freePort } from "./ports.ts";
 * import { joinFrom, readmeBlock, startNginx, withPorts } from "./proxies.ts";
 * import { startServer } from "./server.ts";
 * export async function throughNginx(): Promise<void> {
 *   await using server = await startServer(["--trust-proxy", "127.0.0.1", "--proxy-protocol"]);
 *   const port = freePort();
 *   const block = withPorts(readmeBlock("nginx-stream"), { 6000: `127.0.0.1:${port}`, 60000: server.tcpPort });
 *   await using _nginx = await startNginx({ stream: block, ports: [port] });
 *   await using ana = await joinFrom("127.0.0.2", port, "Ana");
 *   await ana.send("hello");
 * }
 * ```
 */
import { connect, type Socket } from "node:net";
import { DEFAULT_TIMEOUT_MS, enter, TcpClient } from "./tcp_client.ts";

const README = new URL("../../README.md", import.meta.url);
/** The README paragraph whose fenced blocks the proxies run. */
const PROXY_PARAGRAPH = "**Behind a reverse proxy or a balancer.**";
const STARTUP_MS = 10_000;
const STOP_MS = 5_000;
/** `/proc/net/tcp` state of a listening socket. */
const TCP_LISTEN = "0A";

export type ReadmeBlock = "nginx" | "nginx-stream" | "haproxy";

/** The fenced block tagged `info` in the README's "Behind a reverse proxy or a balancer" paragraph, as written. */
export function readmeBlock(info: ReadmeBlock): string {
  const readme = Deno.readTextFileSync(README);
  const from = readme.indexOf(PROXY_PARAGRAPH);
  if (from === -1) throw new Error(`README.md has no paragraph ${PROXY_PARAGRAPH}`);
  const start = readme.indexOf("\n```" + info + "\n", from);
  if (start === -1) throw new Error(`README.md has no \`\`\`${info} block after ${PROXY_PARAGRAPH}`);
  const body = start + info.length + 5;
  const end = readme.indexOf("\n```\n", body - 1);
  return readme.slice(body, end + 1);
}

/**
 * `text` with each port number in `ports` (a whole token: `listen 80;`, `127.0.0.1:8000`, `port 9464`)
 * replaced; throws if one does not occur, so a README change cannot leave a default port in a test's config.
 */
export function withPorts(text: string, ports: Record<number, string | number>): string {
  const token = (alternatives: string) => new RegExp(`(?<![\\w.])(?:${alternatives})(?![\\w.])`, "g");
  for (const from of Object.keys(ports)) {
    if (!token(from).test(text)) throw new Error(`port ${from} does not occur in:\n${text}`);
  }
  // In one pass, so a new port that happens to be one of the README's is not replaced again.
  const map = ports as Record<string, string | number>;
  return text.replace(token(Object.keys(ports).join("|")), (from) => String(map[from]));
}

export interface RunningProxy extends AsyncDisposable {
  readonly process: Deno.ChildProcess;
  /** The config file it runs, as written. */
  readonly config: string;
  /** What it printed and wrote to its error log so far. */
  logs(): string;
  /** Waits until {@link logs} match `pattern`; fails, quoting them, after `timeoutMs`. */
  expectLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM (SIGKILL if it takes longer than 5 s), then its folder is removed. */
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Goes in `http { … }`, after the temporary paths. */
  http?: string;
  /** Goes in `stream { … }`. */
  stream?: string;
  /** The ports its `listen` lines name: it is ready once it listens on all of them. */
  ports: number[];
}

/** Starts nginx in the foreground with a config of its own; resolves once it listens on `ports`. */
export async function startNginx(options: NginxOptions): Promise<RunningProxy> {
  const dir = await proxyDir("nginx");
  const lines = ["daemon off;", `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log;`];
  if (options.stream !== undefined) lines.push(...loadStreamModule());
  lines.push("events {}");
  if (options.http !== undefined) {
    const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
      `    ${kind}_temp_path ${dir}/${kind}_temp;`
    );
    lines.push("http {", "    access_log off;", ...temp, indent(options.http), "}");
  }
  if (options.stream !== undefined) lines.push("stream {", indent(options.stream), "}");
  const config = lines.join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/nginx.conf`, config);
  // `-e`: the log nginx writes before it has read the config (else /var/log/nginx/error.log).
  const args = ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`];
  return await spawnProxy(program("nginx"), args, dir, config, options.ports, `${dir}/error.log`);
}

/**
 * `load_module` for the stream module where nginx is built with it as a module of its own (Debian's, from
 * the libnginx-mod-stream package, which its /etc config would load): ours names it by its absolute path.
 */
function loadStreamModule(): string[] {
  const built = new TextDecoder().decode(new Deno.Command(program("nginx"), { args: ["-V"] }).outputSync().stderr);
  if (!built.includes("--with-stream=dynamic")) return [];
  const modules = built.match(/--modules-path=(\S+)/)?.[1] ?? "/usr/lib/nginx/modules";
  return [`load_module ${modules}/ngx_stream_module.so;`];
}

/** Starts HAProxy in the foreground with `config`; resolves once it listens on `ports`. */
export async function startHaproxy(config: string, ports: number[]): Promise<RunningProxy> {
  const dir = await proxyDir("haproxy");
  await Deno.writeTextFile(`${dir}/haproxy.cfg`, config);
  return await spawnProxy(program("haproxy"), ["-db", "-f", `${dir}/haproxy.cfg`], dir, config, ports);
}

async function spawnProxy(
  command: string,
  args: string[],
  dir: string,
  config: string,
  ports: number[],
  errorLog?: string,
): Promise<RunningProxy> {
  let process: Deno.ChildProcess;
  try {
    process = new Deno.Command(command, { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    if (error instanceof Deno.errors.NotFound) throw new Error(`${command} is not installed: run tests/setup.sh`);
    throw error;
  }
  let printed = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) printed += decoder.decode(chunk, { stream: true });
  };
  const collecting = Promise.all([collect(process.stdout), collect(process.stderr)]);
  let exited: Deno.CommandStatus | undefined;
  const status = process.status.then((status) => exited = status);
  const logs = () => {
    let written = "";
    try {
      if (errorLog) written = Deno.readTextFileSync(errorLog);
    } catch {
      // not written yet
    }
    return printed + written;
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      if (!exited) {
        process.kill("SIGTERM");
        const timer = setTimeout(() => process.kill("SIGKILL"), STOP_MS);
        await status;
        clearTimeout(timer);
      }
      await collecting;
      await Deno.remove(dir, { recursive: true });
    })();
  const deadline = Date.now() + STARTUP_MS;
  while (!ports.every(isListening)) {
    if (exited || Date.now() > deadline) {
      const why = exited ? `exited with ${exited.code}` : `did not listen within ${STARTUP_MS} ms`;
      await stop();
      throw new Error(`${command} ${why}:\n${logs()}\nits config:\n${config}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    process,
    config,
    logs,
    async expectLog(pattern, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(logs())) {
        if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A temporary folder the proxy's workers (which drop root for `nobody`) can reach. */
async function proxyDir(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `chat-${name}-` });
  await Deno.chmod(dir, 0o755);
  return dir;
}

/** Where Debian puts it (/usr/sbin, often not on a user's PATH), else the PATH's. */
function program(name: string): string {
  try {
    Deno.statSync(`/usr/sbin/${name}`);
    return `/usr/sbin/${name}`;
  } catch {
    return name;
  }
}

/**
 * Whether some socket listens on 127.0.0.1:`port`, from /proc/net/tcp: a test connection would reach the
 * server behind the proxy and show in its logs and counts.
 */
function isListening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return Deno.readTextFileSync("/proc/net/tcp").split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1] === local && fields[3] === TCP_LISTEN;
  });
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((line) => line === "" ? line : `    ${line}`).join("\n");
}

/**
 * A node:net socket as a {@link Deno.Conn}, for {@link TcpClient}: `Deno.connect` cannot choose the local
 * address a connection comes from, node:net's `localAddress` can.
 */
export class SocketConn implements Deno.Conn<Deno.NetAddr> {
  readonly readable: ReadableStream<Uint8Array<ArrayBuffer>>;
  readonly writable: WritableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>;
  #rest = new Uint8Array(0);

  constructor(readonly socket: Socket) {
    let ended = false;
    this.readable = new ReadableStream({
      start(controller) {
        const end = () => {
          if (!ended) controller.close();
          ended = true;
        };
        socket.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
        socket.on("end", end);
        socket.on("close", end);
        socket.on("error", end);
      },
    });
    this.#reader = this.readable.getReader();
    this.writable = new WritableStream({ write: async (chunk) => void await this.write(chunk) });
  }

  get localAddr(): Deno.NetAddr {
    return { transport: "tcp", hostname: this.socket.localAddress ?? "", port: this.socket.localPort ?? 0 };
  }

  get remoteAddr(): Deno.NetAddr {
    return { transport: "tcp", hostname: this.socket.remoteAddress ?? "", port: this.socket.remotePort ?? 0 };
  }

  async read(p: Uint8Array): Promise<number | null> {
    if (this.#rest.length === 0) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#rest = value;
    }
    const n = Math.min(p.length, this.#rest.length);
    p.set(this.#rest.subarray(0, n));
    this.#rest = this.#rest.subarray(n);
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.write(p, (error) => error ? reject(error) : resolve(p.length));
    });
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.socket.end(resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A socket to 127.0.0.1:`port` from the loopback address `localAddress` (e.g. 127.0.0.2). */
export function socketFrom(localAddress: string, port: number): Promise<SocketConn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(new SocketConn(socket));
    });
  });
}

/** A TCP door client connected from the loopback address `localAddress` (e.g. 127.0.0.2). */
export async function connectFrom(localAddress: string, port: number): Promise<TcpClient<SocketConn>> {
  return new TcpClient(await socketFrom(localAddress, port));
}

/** {@link connectFrom}, then answers the greeting with `name` and waits until the room announces the join. */
export async function joinFrom(
  localAddress: string,
  port: number,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<TcpClient<SocketConn>> {
  return await enter(await connectFrom(localAddress, port), name, timeoutMs);
}
