/**
 * The TLS certificate and key files (`--tls-cert`, `--tls-key`), read and checked for any door that serves
 * TLS. Whatever is wrong with them (missing, unreadable, not PEM, a key that is not the certificate's)
 * becomes one {@link TlsError} line for the operator. Checking means opening a throwaway TLS listener on a
 * free port: Deno checks the pair only there, and it takes well under a millisecond.
 *
 * @example
 * ```ts
 * import { loadTlsFiles } from "./tls_files.ts";
 * export function listenTls(certFile: string, keyFile: string): Deno.TlsListener {
 *   const { cert, key } = loadTlsFiles({ certFile, keyFile, hostname: "127.0.0.1" }); // or a one-line TlsError
 *   return Deno.listenTls({ hostname: "127.0.0.1", port: 60001, cert, key });
 * }
 * ```
 */

/** The files as read, PEM text. */
export interface TlsPair {
  cert: string;
  key: string;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Where the throwaway listener that checks the pair binds (the address the doors listen on). */
  hostname: string;
}

/** The TLS files cannot be used; the message is one line naming the file and why. */
export class TlsError extends Error {}

/** Reads both files and checks that they make a usable pair; throws {@link TlsError}. */
export function loadTlsFiles({ certFile, keyFile, hostname }: TlsFiles): TlsPair {
  const pair = { cert: read(certFile, "certificate"), key: read(keyFile, "key") };
  try {
    Deno.listenTls({ hostname, port: 0, ...pair }).close();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/no certificates found|decode certificate/i.test(message)) {
      throw new TlsError(`TLS certificate ${certFile}: no PEM certificate in it`);
    }
    if (/no keys found|decode (private )?key/i.test(message)) {
      throw new TlsError(`TLS key ${keyFile}: no PEM private key in it`);
    }
    if (/mismatch|not be consistent/i.test(message)) {
      throw new TlsError(`TLS key ${keyFile} does not belong to the certificate ${certFile}`);
    }
    throw new TlsError(`TLS certificate ${certFile} and key ${keyFile} cannot be used: ${message.split("\n")[0]}`);
  }
  return pair;
}

function read(file: string, what: string): string {
  try {
    return Deno.readTextFileSync(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Error
      ? error.message.split("\n")[0]
      : String(error);
    throw new TlsError(`TLS ${what} ${file}: cannot read it (${why})`);
  }
}
