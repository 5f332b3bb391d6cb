/**
 * Parses the HAProxy PROXY protocol header, v1 (text) and v2 (binary), that a trusted proxy sends before
 * the client's own bytes: https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
 *
 * `parseProxyHeader` is fed all the bytes read so far and says "partial" while they are still a valid
 * prefix of a header, so a byte that cannot belong to one is refused at once and nothing beyond
 * `MAX_V1_BYTES` or `MAX_V2_BYTES` is ever asked of the caller. v1 is checked strictly (single spaces,
 * canonical numbers, CRLF); v2 TLVs are skipped, never parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("PROXY TCP4 203.0.113.7 192.0.2.1 51234 6667\r\nNICK ada\n");
 * assert.deepEqual(parseProxyHeader(bytes.subarray(0, 20)), { state: "partial" });
 * assert.deepEqual(parseProxyHeader(bytes), {
 *   state: "proxy",
 *   length: 45,
 *   version: 1,
 *   source: { address: "203.0.113.7", port: 51234 },
 * });
 * ```
 */

export type ProxyHeader =
  /** A valid prefix: read more. */
  | { state: "partial" }
  /** A short, lower-case, log-friendly reason. */
  | { state: "invalid"; reason: string }
  /** `length` is the number of header bytes to skip. */
  | { state: "proxy"; length: number; version: 1 | 2; source: { address: string; port: number } }
  /** No client address (v2 LOCAL, v1 UNKNOWN, v2 AF_UNSPEC or AF_UNIX): the caller uses the peer's. */
  | { state: "local"; length: number; version: 1 | 2 };

/** The spec's limit for a whole v1 line, CRLF included. */
export const MAX_V1_BYTES = 107;
/**
 * 16 fixed bytes plus at most 1 KiB of addresses and TLVs. The largest address block (AF_UNIX, 216) or an
 * AF_INET6 one (36) with what proxies send in practice (authority/SNI up to 255, unique id up to 128, ALPN,
 * CRC32C, SSL details with a client CN, a cloud VPC endpoint id) stays well under it, while the 16-bit
 * length field would let a broken proxy make us hold 64 KiB per connection.
 */
export const MAX_V2_BYTES = 16 + 1024;

const V1_PREFIX = new TextEncoder().encode("PROXY ");
const V2_SIGNATURE = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);
const V2_FIXED_BYTES = 16;
const CR = 0x0d;
const LF = 0x0a;

const V2_COMMAND_LOCAL = 0x0;
const V2_COMMAND_PROXY = 0x1;
const V2_UNSPEC = 0x00;
const V2_TCP4 = 0x11;
const V2_TCP6 = 0x21;
const V2_UNIX_STREAM = 0x31;
/** Address block sizes from the spec: two addresses and two ports (AF_UNIX: two 108-byte paths). */
const V2_ADDRESS_BYTES = new Map([[V2_UNSPEC, 0], [V2_TCP4, 12], [V2_TCP6, 36], [V2_UNIX_STREAM, 216]]);

const PARTIAL: ProxyHeader = { state: "partial" };
const NOT_A_HEADER = invalid("not a PROXY protocol header");
const NOTHING = new Uint8Array(0);

function invalid(reason: string): { state: "invalid"; reason: string } {
  return { state: "invalid", reason };
}

/** Parses the bytes read so far from the start of a connection; call again with more when "partial". */
export function parseProxyHeader(bytes: Uint8Array): ProxyHeader {
  if (bytes.length === 0) return PARTIAL;
  const magic = bytes[0] === V1_PREFIX[0] ? V1_PREFIX : bytes[0] === V2_SIGNATURE[0] ? V2_SIGNATURE : null;
  if (magic === null) return NOT_A_HEADER;
  const compared = Math.min(bytes.length, magic.length);
  for (let i = 1; i < compared; i++) if (bytes[i] !== magic[i]) return NOT_A_HEADER;
  if (bytes.length <= magic.length) return PARTIAL;
  return magic === V1_PREFIX ? parseV1(bytes) : parseV2(bytes);
}

/**
 * Reads from `read` (e.g. `conn.read.bind(conn)`) until a header is complete or invalid, into one buffer
 * of `MAX_V2_BYTES`. `rest` holds the bytes read after a valid header (the client's first bytes); it is
 * empty for an invalid one. End of stream before the header is done is "connection closed before the
 * header". Errors thrown by `read` pass through; the caller owns the deadline.
 */
export async function readProxyHeader(
  read: (buffer: Uint8Array) => Promise<number | null>,
): Promise<{ header: Exclude<ProxyHeader, { state: "partial" }>; rest: Uint8Array }> {
  const buffer = new Uint8Array(MAX_V2_BYTES);
  let filled = 0;
  while (true) {
    // Never "partial" once the buffer is full: every header longer than a cap is invalid by then.
    const count = await read(buffer.subarray(filled));
    if (count === null) return { header: invalid("connection closed before the header"), rest: NOTHING };
    filled += count;
    const header = parseProxyHeader(buffer.subarray(0, filled));
    if (header.state === "partial") continue;
    if (header.state === "invalid") return { header, rest: NOTHING };
    return { header, rest: buffer.slice(header.length, filled) };
  }
}

function parseV1(bytes: Uint8Array): ProxyHeader {
  const scanned = Math.min(bytes.length, MAX_V1_BYTES);
  for (let i = V1_PREFIX.length; i < scanned; i++) {
    const byte = bytes[i];
    if (byte === CR) {
      if (i + 1 === bytes.length) break; // the LF may come in the next read
      if (bytes[i + 1] !== LF) return invalid("v1 header has a cr without lf");
      if (i + 2 > MAX_V1_BYTES) break;
      return parseV1Line(latin1(bytes.subarray(0, i)), i + 2);
    }
    if (byte === LF) return invalid("v1 header has a bare lf");
    if (byte < 0x20 || byte > 0x7e) return invalid(`v1 header has a non-printable byte 0x${hex(byte)}`);
  }
  // 107 bytes without a CRLF inside them cannot become a header of at most 107.
  if (bytes.length >= MAX_V1_BYTES) return invalid(`v1 header longer than ${MAX_V1_BYTES} bytes`);
  // A final CR ends the line, so its fields must already be whole.
  const ending = bytes[bytes.length - 1] === CR;
  const reason = checkV1Fields(latin1(ending ? bytes.subarray(0, -1) : bytes).split(" "), ending);
  return reason === null ? PARTIAL : invalid(reason);
}

function parseV1Line(line: string, length: number): ProxyHeader {
  const fields = line.split(" ");
  const reason = checkV1Fields(fields, true);
  if (reason !== null) return invalid(reason);
  const [, protocol, source, , port] = fields;
  if (protocol === "UNKNOWN") return { state: "local", length, version: 1 };
  const address = protocol === "TCP4" ? source : formatIpv6(parseIpv6(source)!);
  return { state: "proxy", length, version: 1, source: { address, port: Number(port) } };
}

const V1_PROTOCOLS = ["TCP4", "TCP6", "UNKNOWN"];
const V1_FIELD_NAMES = ["", "protocol", "source address", "destination address", "source port", "destination port"];
const V1_FIELDS = V1_FIELD_NAMES.length;

/**
 * Checks `PROXY <protocol> <src> <dst> <sport> <dport>` split on single spaces. Unless `complete`, the last
 * field may still grow, so it only has to be a plausible start of its kind.
 */
function checkV1Fields(fields: string[], complete: boolean): string | null {
  const last = fields.length - 1;
  const protocol = fields[1];
  if (complete || last > 1) {
    if (!V1_PROTOCOLS.includes(protocol)) return "v1 unsupported protocol";
    if (protocol === "UNKNOWN") return null; // the spec says to ignore the rest of the line
  } else if (!V1_PROTOCOLS.some((known) => known.startsWith(protocol))) {
    return "v1 unsupported protocol";
  }
  for (let i = 2; i < fields.length; i++) {
    const field = fields[i];
    const whole = complete || i < last;
    if (field === "" && whole) return "v1 header has an empty field";
    if (i >= V1_FIELDS) return "v1 header has extra fields";
    if (!(whole ? isV1Field : mayStartV1Field)(i <= 3 ? protocol : "port", field)) {
      return `v1 invalid ${V1_FIELD_NAMES[i]}`;
    }
  }
  if (complete && fields.length < V1_FIELDS) return "v1 header is missing fields";
  return null;
}

function isV1Field(kind: string, field: string): boolean {
  if (kind === "TCP4") return isIpv4(field);
  if (kind === "TCP6") return parseIpv6(field) !== null;
  return isPort(field);
}

function mayStartV1Field(kind: string, field: string): boolean {
  if (kind === "TCP4") return /^[0-9.]{0,15}$/.test(field);
  if (kind === "TCP6") return /^[0-9a-fA-F:.]{0,45}$/.test(field);
  return field === "" || isPort(field);
}

function parseV2(bytes: Uint8Array): ProxyHeader {
  const versionCommand = bytes[12];
  if (versionCommand >> 4 !== 2) return invalid(`v2 unsupported version 0x${hex(versionCommand >> 4)}`);
  const command = versionCommand & 0x0f;
  if (command !== V2_COMMAND_LOCAL && command !== V2_COMMAND_PROXY) {
    return invalid(`v2 unsupported command 0x${hex(command)}`);
  }
  if (bytes.length < 14) return PARTIAL;
  const family = bytes[13];
  // LOCAL ignores the family byte, as the spec says.
  const addressBytes = command === V2_COMMAND_PROXY ? V2_ADDRESS_BYTES.get(family) : 0;
  if (addressBytes === undefined) return invalid(`v2 unsupported family and protocol 0x${hex(family)}`);
  if (bytes.length < V2_FIXED_BYTES) return PARTIAL;
  const declared = (bytes[14] << 8) | bytes[15];
  const length = V2_FIXED_BYTES + declared;
  if (length > MAX_V2_BYTES) return invalid(`v2 header longer than ${MAX_V2_BYTES} bytes`);
  if (declared < addressBytes) return invalid(`v2 length ${declared} shorter than the address block ${addressBytes}`);
  if (bytes.length < length) return PARTIAL;
  if (command === V2_COMMAND_LOCAL || family === V2_UNSPEC || family === V2_UNIX_STREAM) {
    return { state: "local", length, version: 2 };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const start = V2_FIXED_BYTES;
  if (family === V2_TCP4) {
    const address = bytes.subarray(start, start + 4).join(".");
    return { state: "proxy", length, version: 2, source: { address, port: view.getUint16(start + 8) } };
  }
  const groups = Array.from({ length: 8 }, (_, i) => view.getUint16(start + 2 * i));
  return {
    state: "proxy",
    length,
    version: 2,
    source: { address: formatIpv6(groups), port: view.getUint16(start + 32) },
  };
}

/** Dotted quad, each part 0-255 with no leading zero. */
function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
}

function isPort(text: string): boolean {
  return /^(0|[1-9][0-9]{0,4})$/.test(text) && Number(text) <= 65535;
}

/** The eight 16-bit groups of an RFC 4291 textual address (`::` and a trailing dotted quad allowed, no zone), or null. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1], true) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  if (head.length + tail.length > 7) return null;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

function parseGroups(text: string, mayEndInIpv4: boolean): number[] | null {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else if (mayEndInIpv4 && i === parts.length - 1 && isIpv4(part)) {
      const [a, b, c, d] = part.split(".").map(Number);
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      return null;
    }
  }
  return groups;
}

/** RFC 5952 form, as Deno prints `remoteAddr.hostname`; an IPv4-mapped address becomes plain IPv4. */
function formatIpv6(groups: number[]): string {
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join(".");
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never shortened
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart === -1) return text.join(":");
  return `${text.slice(0, bestStart).join(":")}::${text.slice(bestStart + bestLength).join(":")}`;
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function hex(value: number): string {
  return value.toString(16);
}
