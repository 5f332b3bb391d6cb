/** A port that was free a moment ago: bind port 0, read it, close. For restarting on the same port. */
export function freePort(): number {
  return freePorts(1)[0];
}

/**
 * `count` different ports that were free a moment ago. The listeners are all held until every port is chosen:
 * two calls of {@link freePort} in a row can return the same port, and two doors bound to it fail to start.
 */
export function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}
