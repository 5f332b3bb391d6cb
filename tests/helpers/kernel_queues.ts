/**
 * The kernel's own count of the bytes queued on the TCP sockets of one port, read from /proc/net/tcp and
 * tcp6 without yielding: what tests use to see where bytes are, not what the server says about them.
 *
 * @example
 * ```ts
 * import { socketQueues } from "./kernel_queues.ts";
 * const waiting = socketQueues(60000).filter((socket) => socket.side === "client" && socket.rx > 0).length;
 * ```
 */

/** One socket on the port: the server's end (`local` is the port) or a client's (`remote` is), and its queues. */
export interface SocketQueues {
  side: "server" | "client";
  /** The kernel's TCP state, as /proc writes it: "01" established, "08" close-wait (the peer closed), … */
  state: string;
  /** This end's own address (IPv4 dotted; IPv6 as /proc writes it). */
  address: string;
  /** Bytes sent, not yet acknowledged by the peer. */
  tx: number;
  /** Bytes received, not yet read by the socket's owner. */
  rx: number;
}

export function socketQueues(port: number): SocketQueues[] {
  const hexPort = ":" + port.toString(16).toUpperCase().padStart(4, "0");
  const sockets: SocketQueues[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const row of Deno.readTextFileSync(table).split("\n").slice(1)) {
      const [, local, remote, state, queues] = row.trim().split(/\s+/);
      if (!queues) continue;
      const [tx, rx] = queues.split(":").map((hex) => parseInt(hex, 16));
      const address = addressOf(local);
      if (local.endsWith(hexPort)) sockets.push({ side: "server", state, address, tx, rx });
      if (remote.endsWith(hexPort)) sockets.push({ side: "client", state, address, tx, rx });
    }
  }
  return sockets;
}

/** `0100007F:1F40` → `127.0.0.1` (IPv4 is written little-endian); anything else as it is. */
function addressOf(hexEndpoint: string): string {
  const hex = hexEndpoint.split(":")[0];
  if (hex.length !== 8) return hex;
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
}
