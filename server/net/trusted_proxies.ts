/**
 * Who the client is, behind `--trust-proxy CIDR[,CIDR…]`. A forwarding header is only words: anyone can send
 * `X-Forwarded-For: 1.2.3.4`. So headers are read only when the connecting peer is in a trusted range, and then
 * only as far as trusted proxies vouch for each other: the chain is walked from the right (the entry our proxy
 * wrote) and the first entry that is not itself a trusted proxy is the client. Whatever stands to the left of it
 * was written by that client and proves nothing, so forged entries there change nothing; from an untrusted peer
 * the headers change nothing at all. An entry that is not an IP address ("unknown", an obfuscated `_name`)
 * cannot serve as the client's key, so the peer stands in for it.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, as a dual-stack socket reports an IPv4 peer) are IPv4 addresses
 * here, in ranges and in matching, so each family's ranges match that family's addresses only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const proxies = TrustedProxies.parse("10.0.0.0/8, ::1");
 * const forwardedFor = "6.6.6.6, 203.0.113.7, 10.0.0.2";
 * assert.equal(proxies.clientAddress("10.0.0.1", { forwardedFor }), "203.0.113.7");
 * assert.equal(proxies.clientAddress("198.51.100.9", { forwardedFor }), "198.51.100.9");
 * ```
 *
 * @module
 */
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = readonly [Address, number];

/** How many hops of a forwarding header are walked at most; entries further left are never looked at. */
export const MAX_FORWARDED_HOPS = 64;

/** The ranges whose peers are believed about the client's address. */
export class TrustedProxies {
  /** No ranges at all: every peer is its own client. */
  readonly none: boolean;
  readonly #ranges: readonly Range[];

  private constructor(ranges: readonly Range[]) {
    this.#ranges = ranges;
    this.none = ranges.length === 0;
  }

  /**
   * Parses a comma-separated list of addresses and CIDR ranges (a bare address is a /32 or /128; an empty list
   * trusts nobody). Throws an Error naming the first bad entry.
   *
   * @example
   * ```ts
   * TrustedProxies.parse("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8").trusts("fd12::3"); // true
   * TrustedProxies.parse("").none; // true
   * ```
   */
  static parse(list: string): TrustedProxies {
    if (list.trim() === "") return new TrustedProxies([]);
    return new TrustedProxies(
      list.split(",").map((entry) => {
        const range = parseRange(entry.trim());
        if (range === undefined) throw new Error(`--trust-proxy: "${entry.trim()}" is not an address or CIDR range`);
        return range;
      }),
    );
  }

  /** Whether `address` (as Deno or Node print a peer, maybe with a `%zone`) is in a trusted range; garbage is not. */
  trusts(address: string): boolean {
    const parsed = parseAddress(address);
    return parsed !== undefined && this.#contains(parsed);
  }

  /**
   * The client's address, canonical, for a request that came from `peer`: the peer itself unless it is trusted,
   * else the right-most entry of X-Forwarded-For (if present, else of Forwarded's `for=`) that is not a trusted
   * proxy, or the left-most of at most {@linkcode MAX_FORWARDED_HOPS} entries if all are. If that entry is not an
   * IP address, the peer.
   *
   * @example
   * ```ts
   * const proxies = TrustedProxies.parse("127.0.0.1");
   * proxies.clientAddress("127.0.0.1", { forwarded: 'for="[2001:DB8::7]:4711";proto=https' }); // "2001:db8::7"
   * ```
   */
  clientAddress(peer: string, headers: { forwardedFor?: string | null; forwarded?: string | null }): string {
    const peerAddress = parseAddress(peer);
    const peerAsClient = peerAddress === undefined ? peer : format(peerAddress);
    if (peerAddress === undefined || !this.#contains(peerAddress)) return peerAsClient;
    const nodes = typeof headers.forwardedFor === "string"
      ? headers.forwardedFor.split(",")
      : typeof headers.forwarded === "string"
      ? forwardedFor(headers.forwarded)
      : undefined;
    if (nodes === undefined) return peerAsClient;
    let client: Address | undefined;
    for (const node of nodes.slice(-MAX_FORWARDED_HOPS).reverse()) {
      client = node === undefined ? undefined : nodeAddress(node.trim());
      if (client === undefined) return peerAsClient;
      if (!this.#contains(client)) break;
    }
    return client === undefined ? peerAsClient : format(client);
  }

  #contains(address: Address): boolean {
    return this.#ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }
}

/** Canonical form of an IP address (dotted quad; RFC 5952 IPv6; IPv4-mapped as IPv4; zone dropped), or undefined. */
export function canonicalAddress(address: string): string | undefined {
  const parsed = parseAddress(address);
  return parsed === undefined ? undefined : format(parsed);
}

function format(address: Address): string {
  return address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
}

/**
 * ipaddr.js also takes the classful and octal/hex forms `inet_aton` does ("127.1", "0x7f.0.0.1", "010.0.0.1" is
 * 8.0.0.1), inside IPv6 too; an address written so in a header or on the command line is a mistake or a trick,
 * so every IPv4 part must be a plain dotted quad first.
 */
function parseIp(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text) || text.includes("%")) return undefined;
  if (text.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(text.slice(text.lastIndexOf(":") + 1))) {
    return undefined;
  }
  return ipaddr.IPv6.parse(text);
}

const ZONE = /^[\w.~-]+$/;

/** A peer or hop address, maybe with an IPv6 zone (which is dropped), IPv4-mapped turned into IPv4. */
function parseAddress(text: string): Address | undefined {
  const percent = text.indexOf("%");
  const ip = parseIp(percent === -1 ? text : text.slice(0, percent));
  if (ip === undefined) return undefined;
  if (percent !== -1 && !(ip instanceof ipaddr.IPv6 && ZONE.test(text.slice(percent + 1)))) return undefined;
  return ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() ? ip.toIPv4Address() : ip;
}

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

function parseRange(entry: string): Range | undefined {
  const [text, prefix, ...rest] = entry.split("/");
  const ip = parseIp(text);
  if (ip === undefined || rest.length > 0 || (prefix !== undefined && !PREFIX_LENGTH.test(prefix))) return undefined;
  const max = ip.kind() === "ipv4" ? 32 : 128;
  const bits = prefix === undefined ? max : Number(prefix);
  if (bits > max) return undefined;
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() && bits >= 96) return [ip.toIPv4Address(), bits - 96];
  return [ip, bits];
}

/**
 * RFC 7239 node: an IPv4 address, a bracketed IPv6 address, either with a port (or obfuscated `_port`); a bare
 * IPv6 address is taken too, since some proxies write one so. "unknown" and `_obfuscated` names are not addresses.
 */
function nodeAddress(node: string): Address | undefined {
  const match = /^(?:\[([^\]]*)\]|([0-9.]+))(?::(?:[0-9]{1,5}|_[\w.-]+))?$/.exec(node);
  if (match === null) return parseAddress(node);
  if (match[1] !== undefined) return parseAddress(match[1]);
  const ip = parseAddress(match[2]);
  return ip instanceof ipaddr.IPv4 ? ip : undefined;
}

/**
 * The `for=` value of each element of a Forwarded header, left to right; undefined for an element that has none,
 * has two, or cannot be read, so that a proxy that did not say whom it heard from ends the walk there instead of
 * letting the entry to its left (which the client may have written) speak for it.
 */
function forwardedFor(header: string): (string | undefined)[] {
  return splitOutsideQuotes(header, ",").map((element) => {
    let value: string | undefined;
    for (const pair of splitOutsideQuotes(element, ";")) {
      if (pair.trim() === "") continue;
      const equals = pair.indexOf("=");
      if (equals <= 0) return undefined;
      if (pair.slice(0, equals).trim().toLowerCase() !== "for") continue;
      if (value !== undefined) return undefined;
      value = unquote(pair.slice(equals + 1).trim());
      if (value === undefined) return undefined;
    }
    return value;
  });
}

function unquote(value: string): string | undefined {
  if (!value.startsWith('"')) return value.includes('"') ? undefined : value;
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return quoted === null ? undefined : quoted[1].replace(/\\(.)/g, "$1");
}

/** Splits at `separator` where it is not inside a quoted-string (which may hold it, or an escaped quote). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === "\\") i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
