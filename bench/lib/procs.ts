/**
 * The processes a bench run needs: compiling the C tools, starting a server (ours or a baseline) pinned
 * to one core with a high descriptor limit, and running the generator pinned to the other.
 *
 * @example
 * ```ts
 * await using server = await startOurs([]);
 * const result = await runGenerator({ port: server.tcpPort, tcp: 100, senders: 10, rate: 1000, seconds: 2 }, server.pid);
 * ```
 */

export const ROOT = new URL("../../", import.meta.url).pathname;
export const OUT = `${ROOT}bench/out/`;
/** The independent generator the figures are cross-checked against (not part of the repository). */
export const REFERENCE_LOADGEN_SOURCE = `${ROOT}../shared/tools/loadgen.c`;
const STARTUP_MS = 30_000;
const STOP_MS = 5_000;

/** Flags that let the bench's senders go as fast as the sweep asks; everything else stays on. */
export const OUR_FLAGS = [
  "--db",
  ":memory:",
  "--flood-burst",
  "1000000",
  "--flood-rate",
  "1000000",
  "--max-connections",
  // Room for the idle run's 10,000 members and the abuse runs, within this machine's hard limit of 20,000
  // descriptors (the server keeps 128 for itself and refuses to start when the caps do not fit).
  "19000",
];

export interface RunningServer extends AsyncDisposable {
  pid: number;
  tcpPort: number;
  /** A second instance of the same room (several instances on Redis): TCP members are spread over both. */
  tcpPort2?: number;
  httpPort: number | undefined;
  /** Peak and current RSS of the server (KiB), read from /proc. */
  memory(): Promise<{ rssKiB: number; peakKiB: number }>;
  stop(): Promise<void>;
}

export interface GeneratorLoad {
  port: number;
  /** A second instance's TCP port: TCP members alternate between the two. */
  port2?: number;
  httpPort?: number;
  tcp: number;
  sse?: number;
  senders: number;
  /** Aggregate messages per second. */
  rate: number;
  seconds: number;
  holdSeconds?: number;
  /** Longest wait after the window for what is still on its way (the generator's default: 20 s). */
  drainSeconds?: number;
  size?: number;
  /** What the members' names start with (at most 8 characters; the generator's default: nothing). */
  names?: string;
  /** More processes (other instances, Redis) whose CPU seconds in the window the generator reports. */
  cpuPids?: number[];
}

/** A ready member whose socket the server closed, as the generator saw it. */
export interface Cut {
  member: string;
  sender: boolean;
  /** ms into the sending window (negative: before it). */
  at_ms: number;
  /** "closed by server", "Connection reset by peer", … */
  how: string;
  /** The last "! …" line the server sent that member (its reason), if any. */
  said: string;
}

/** One line of the generator's JSON (see bench/gen.c for every field). */
export interface GeneratorResult {
  members: number;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  garbled: number;
  dropped: number;
  deliveries_per_s: number;
  deliveries_per_s_window: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  gen_cpu_pct: number;
  server_cpu_pct: number;
  /** CPU used by everything else on the machine during the window (other jobs: noise). */
  others_cpu_pct: number;
  server_rss_kib_tcp: number;
  server_rss_kib_all: number;
  server_rss_kib_end: number;
  drain_s: number;
  gaps: number;
  /** Latency of deliveries from a sender on one instance to a reader on the other (with port2). */
  p50_cross_ms: number;
  p99_cross_ms: number;
  /** Messages the senders' schedule asked for in the window; `sent` is what they got to send. */
  offered: number;
  /** Share of the window the senders held bytes the kernel would not take (the server's pushback). */
  sender_blocked_pct: number;
  /** Ready members the server closed (setup failures are `setup_failed`, not counted here). */
  cut_off: number;
  cut_senders: number;
  cuts: Cut[];
  /** The room's leave notices by reason, as the TCP member that saw the most of them saw them. */
  left: { slow: number; lost: number; other: number };
  setup_failed?: string;
  first_error?: string;
  /** CPU seconds each of `cpuPids` used in the window, in their order. */
  cpu_pids_s?: number[];
  /** Deliveries that arrived within the window. */
  received_in_window?: number;
}

/** A loopback port nobody listens on now (for a process that binds it itself). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

export async function hasCommand(name: string): Promise<boolean> {
  const { code } = await new Deno.Command("bash", { args: ["-c", `command -v ${name}`], stdout: "null" }).output();
  return code === 0;
}

/** `cc -O2` one C file into bench/out/; returns the binary's path. */
export async function compile(source: string, name: string): Promise<string> {
  await Deno.mkdir(OUT, { recursive: true });
  const binary = OUT + name;
  const { code, stderr } = await new Deno.Command("cc", { args: ["-O2", "-o", binary, source], stderr: "piped" })
    .output();
  if (code !== 0) throw new Error(`cc ${source} failed:\n${new TextDecoder().decode(stderr)}`);
  return binary;
}

let pinning: boolean | undefined;
/** `taskset -c CPU` when the machine has it and at least two cores, else nothing. */
async function pin(cpu: number): Promise<string> {
  pinning ??= navigator.hardwareConcurrency >= 2 && await hasCommand("taskset");
  return pinning ? `taskset -c ${cpu} ` : "";
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts `command` on core 1 with `ulimit -n 65536`; resolves once its output matches every pattern in
 * `wait` (each capture group 1 is returned).
 */
export async function startPinned(
  command: string[],
  wait: RegExp[],
): Promise<{ pid: number; found: string[]; stop(): Promise<void> }> {
  const script = `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${await pin(1)}${
    command.map(quote).join(" ")
  }`;
  const child = new Deno.Command("bash", {
    args: ["-c", script],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const deadline = Date.now() + STARTUP_MS;
  let exited = false;
  child.status.then(() => exited = true);
  while (!wait.every((pattern) => pattern.test(text))) {
    if (exited || Date.now() > deadline) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      throw new Error(`${command.join(" ")} did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const found = wait.map((pattern) => text.match(pattern)?.[1] ?? "");
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, STOP_MS);
      await child.status;
      clearTimeout(timer);
    }
    await collecting;
  };
  return { pid: child.pid, found, stop };
}

export async function memoryOf(pid: number): Promise<{ rssKiB: number; peakKiB: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))?.[1] ?? -1);
  return { rssKiB: field("VmRSS"), peakKiB: field("VmHWM") };
}

function running(pid: number, tcpPort: number, httpPort: number | undefined, stop: () => Promise<void>): RunningServer {
  return {
    pid,
    tcpPort,
    httpPort,
    memory: () => memoryOf(pid),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Our server (main.ts), both doors on free ports, with `base` flags (by default the flood limits raised),
 * then `extra`; `runtime` goes to `deno run` (e.g. `--v8-flags=…`).
 */
export async function startOurs(
  extra: string[] = [],
  base: string[] = OUR_FLAGS,
  runtime: string[] = [],
): Promise<RunningServer> {
  const { pid, found, stop } = await startPinned(
    [
      Deno.execPath(),
      "run",
      ...runtime,
      "--allow-all",
      `${ROOT}main.ts`,
      "--tcp-port",
      "0",
      "--http-port",
      "0",
      ...base,
      ...extra,
    ],
    [/tcp listening on \S+:(\d+)/, /http listening on http:\/\/[^:]+:(\d+)/, /^(ready)$/m],
  );
  return running(pid, Number(found[0]), Number(found[1]), stop);
}

/** A baseline fan-out (bench/baseline/fanout.ts under Deno, or the compiled fanout.c). */
export async function startBaseline(kind: "deno" | "c"): Promise<RunningServer> {
  const command = kind === "deno"
    ? [Deno.execPath(), "run", "--allow-net", `${ROOT}bench/baseline/fanout.ts`, "0"]
    : [`${OUT}fanout-c`, "0"];
  const { pid, found, stop } = await startPinned(command, [/ready (\d+)/]);
  return running(pid, Number(found[0]), undefined, stop);
}

async function runPinned(binary: string, args: string[]): Promise<string> {
  const prefix = (await pin(0)).trim().split(" ").filter(Boolean);
  const [program, ...rest] = [...prefix, binary, ...args];
  const { stdout } = await new Deno.Command(program, { args: rest, stdout: "piped", stderr: "inherit" }).output();
  return new TextDecoder().decode(stdout).trim();
}

/** The flags both generators (ours and the reference loadgen) take for one TCP load. */
function commonArgs(load: GeneratorLoad, serverPid: number): string[] {
  return [
    ...["--port", String(load.port), "-n", String(load.tcp), "-s", String(load.senders)],
    ...["-r", String(load.rate), "-t", String(load.seconds), "--size", String(load.size ?? 64)],
    ...["--server-pid", String(serverPid)],
  ];
}

/** Runs bench/out/gen against a server; one JSON result. */
export async function runGenerator(load: GeneratorLoad, serverPid: number): Promise<GeneratorResult> {
  const args = [
    ...commonArgs(load, serverPid),
    "-m",
    String(load.sse ?? 0),
    "--hold",
    String(load.holdSeconds ?? 0),
  ];
  if (load.httpPort) args.push("--http-port", String(load.httpPort));
  if (load.port2) args.push("--port2", String(load.port2));
  if (load.drainSeconds !== undefined) args.push("--drain", String(load.drainSeconds));
  if (load.names) args.push("--names", load.names);
  if (load.cpuPids?.length) args.push("--cpu-pids", load.cpuPids.join(","));
  const line = await runPinned(`${OUT}gen`, args);
  return JSON.parse(line.split("\n").at(-1) || "{}");
}

/** The reference loadgen on the same load (TCP only); its own JSON, a few fields picked. */
export async function runReference(load: GeneratorLoad, serverPid: number): Promise<Record<string, number>> {
  const line = await runPinned(`${OUT}ref-loadgen`, ["--proto", "line", ...commonArgs(load, serverPid)]);
  const all = JSON.parse(line.split("\n").at(-1) || "{}");
  return {
    deliveries_per_s_window: all.deliveries_per_s_window,
    lost: all.lost,
    p50_ms: all.lat_p50_ms,
    p99_ms: all.lat_p99_ms,
    loadgen_cpu_pct: all.loadgen_cpu_pct_window,
    server_cpu_pct: all.server_cpu_pct_window,
  };
}
