/**
 * Which `Host` headers the web door answers for: its own address and port (for a loopback bind also
 * `localhost`, `127.0.0.1` and `[::1]`; for a wildcard bind the addresses of the machine's interfaces),
 * and the `--public-host` names a proxy forwards (`NAME` for any port, `NAME:PORT` for that one). A request
 * naming any other host was meant for another site: DNS rebinding points a name the attacker owns at us, so
 * that a page of theirs can reach this server as if it were its own origin. It is refused (421) before any
 * route.
 *
 * @example
 * ```ts
 * const hosts = new AllowedHosts("127.0.0.1", 8000, "chat.example.com");
 * hosts.allows("localhost:8000"); // true
 * hosts.allows("chat.example.com"); // true
 * hosts.allows("evil.example:8000"); // false
 * ```
 */

/** The port a Host header without one means (the web door speaks plain HTTP). */
const DEFAULT_PORT = 80;
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

export class AllowedHosts {
  /** Names answered on the bound port only. */
  #own = new Set<string>();
  /** Names answered on any port (`--public-host NAME`). */
  #anyPort = new Set<string>();
  /** `name:port` pairs (`--public-host NAME:PORT`). */
  #exact = new Set<string>();

  /** `interfaces`: the machine's addresses, for a wildcard bind (Deno.networkInterfaces() by default). */
  constructor(
    bound: string,
    readonly port: number,
    publicHosts = "",
    interfaces: () => string[] = interfaceAddresses,
  ) {
    // A link-local IPv6 address carries its zone (`fe80::1%eth0`), which no Host header does.
    const own = WILDCARDS.has(bound) ? [...interfaces().map((a) => a.replace(/%.*$/, "")), "localhost"] : [bound];
    if (own.some((name) => isLoopbackName(name))) own.push(...LOOPBACK_NAMES);
    for (const name of own) this.#own.add(bracketed(name.toLowerCase()));
    for (const entry of publicHosts.split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean)) {
      const parsed = parseHost(entry);
      if (!parsed) throw new Error(`--public-host: "${entry}" is not a host name or NAME:PORT`);
      if (parsed.port === undefined) this.#anyPort.add(parsed.name);
      else this.#exact.add(`${parsed.name}:${parsed.port}`);
    }
  }

  /** Whether a request with this `Host` header (undefined: none) is served. */
  allows(host: string | undefined): boolean {
    const parsed = host === undefined ? undefined : parseHost(host.toLowerCase());
    if (!parsed) return false;
    const port = parsed.port ?? DEFAULT_PORT;
    if (this.#anyPort.has(parsed.name) || this.#exact.has(`${parsed.name}:${port}`)) return true;
    return port === this.port && this.#own.has(parsed.name);
  }
}

/** What a request names as its host: the one host to check, and its target in origin form; or why it is malformed. */
export type NamedHost = { host: string | undefined; path: string } | { error: string };

/** An absolute-form target (`GET http://host:port/path`), as a proxy would send it: its scheme and authority. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/**
 * The one host a request names, from node:http's `rawHeaders` and its request target: its `Host` header,
 * which must be alone (RFC 9112 §3.2: more than one is a bad request), and which an absolute-form target
 * must name too. The target comes back in origin form, so what the app builds the request's URL from (and
 * the Origin check compares with) is the host that was checked, and nothing else.
 */
export function namedHost(rawHeaders: readonly string[], target: string): NamedHost {
  let host: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== "host") continue;
    if (host !== undefined) return { error: "malformed request: more than one Host header" };
    host = rawHeaders[i + 1];
  }
  const authority = target.match(ABSOLUTE_FORM)?.[0];
  if (authority === undefined || host === undefined) return { host, path: target };
  if (!sameAuthority(authority, host)) return { error: "malformed request: the target names another host than Host" };
  const rest = target.slice(authority.length);
  return { host, path: rest.startsWith("/") ? rest : `/${rest}` };
}

/** Whether `scheme://authority` and a Host header name the same host and port (80 or 443 left out or not). */
function sameAuthority(schemeAndAuthority: string, host: string): boolean {
  try {
    const target = new URL(schemeAndAuthority);
    return target.username === "" && target.password === "" &&
      new URL(`${target.protocol}//${host}`).host === target.host;
  } catch {
    return false;
  }
}

/** `name`, `name:port`, `[v6]` or `[v6]:port` → its parts; undefined when it is none of these. */
export function parseHost(host: string): { name: string; port?: number } | undefined {
  const match = host.match(/^(\[[0-9a-f:.]+\]|[^\s:/@\[\]]+)(?::(\d{1,5}))?$/);
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: match[1], port };
}

/** An IPv6 address as a Host header writes it, in brackets; anything else as it is. */
function bracketed(name: string): string {
  return name.includes(":") && !name.startsWith("[") ? `[${name}]` : name;
}

function isLoopbackName(name: string): boolean {
  return name === "localhost" || name === "::1" || name === "[::1]" || name.startsWith("127.");
}

function interfaceAddresses(): string[] {
  return Deno.networkInterfaces().map((entry) => entry.address);
}
