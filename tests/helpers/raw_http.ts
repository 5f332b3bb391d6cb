/**
 * HTTP/1.1 by hand over a real socket, for tests that need what fetch hides: an exact request (a half-sent
 * head, a foreign Host, a body cut off), one connection per request, and whether the server closed it.
 *
 * @example
 * ```ts
 * import { rawExchange } from "./raw_http.ts";
 * export async function homeStatus(port: number): Promise<number> {
 *   const answer = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
 *   return answer.status; // 200
 * }
 * ```
 */

export interface RawAnswer {
  /** 0 when nothing that looks like a status line came. */
  status: number;
  headers: Headers;
  body: string;
  /** Everything received, head and body. */
  text: string;
  /** The server closed the connection (rather than the wait running out). */
  closed: boolean;
}

const encoder = new TextEncoder();

/**
 * Sends `request` on a new connection to 127.0.0.1:`port` and reads until the answer is whole (its
 * Content-Length, or the server's close), or `timeoutMs` passes. With `untilClose`, reads on until the
 * server closes the connection.
 */
export async function rawExchange(
  port: number,
  request: string | Uint8Array,
  options: { timeoutMs?: number; untilClose?: boolean } = {},
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(typeof request === "string" ? encoder.encode(request) : request);
    return await readAnswer(conn, options);
  } finally {
    try {
      conn.close();
    } catch {
      // the server closed it
    }
  }
}

/** Reads one answer from `conn` (see {@link rawExchange}). */
export async function readAnswer(
  conn: Deno.Conn,
  options: { timeoutMs?: number; untilClose?: boolean } = {},
): Promise<RawAnswer> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(64 * 1024);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let text = "";
  let closed = false;
  while (!closed && (options.untilClose || !whole(text))) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const n = await readWithin(conn, buffer, left);
    if (n === undefined) break;
    if (n === null) closed = true;
    else text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return { ...parse(text), text, closed };
}

/** Opens `count` connections to the port and sends nothing on them. */
export async function idleConnections(port: number, count: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}

export function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Bytes read, null at the server's close (or a reset), undefined when `ms` passed first. */
async function readWithin(conn: Deno.Conn, buffer: Uint8Array, ms: number): Promise<number | null | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms));
  const read = conn.read(buffer).catch(() => null);
  try {
    const result = await Promise.race([read, timeout]);
    if (result === undefined) {
      // The read stays pending: closing the connection (the caller does) ends it.
      read.catch(() => {});
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function whole(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return false;
  const length = text.slice(0, end).match(/^content-length:\s*(\d+)/im);
  return length !== null && new TextEncoder().encode(text.slice(end + 4)).length >= Number(length[1]);
}

function parse(text: string): { status: number; headers: Headers; body: string } {
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return {
    status: Number(statusLine.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0),
    headers,
    body: end === -1 ? "" : text.slice(end + 4),
  };
}
