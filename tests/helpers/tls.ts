/**
 * Self-signed certificates for tests, made with Debian's `openssl` in a temporary folder. Deno's TLS client
 * (rustls) trusts a self-signed certificate only as an end entity (`CA:FALSE`) naming the host it connects
 * to (`subjectAltName`), so both are added to the plain `openssl req -x509` line.
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * import { joinTls } from "./tcp_client.ts";
 * import { makeCertificates } from "./tls.ts";
 * export async function overTls(): Promise<void> {
 *   await using tls = await makeCertificates();
 *   const first = await tls.certificate("first");
 *   await using server = await startServer(["--tls-cert", first.certFile, "--tls-key", first.keyFile]);
 *   await using ana = await joinTls(server.tlsPort!, first.pem, "Ana");
 * }
 * ```
 */

export interface Certificate {
  certFile: string;
  keyFile: string;
  /** The certificate itself (PEM), for a client to trust. */
  pem: string;
}

export interface CertificateFolder extends AsyncDisposable {
  readonly dir: string;
  /** A new key and self-signed certificate for localhost and 127.0.0.1, as `<name>.crt` and `<name>.key`. */
  certificate(name: string): Promise<Certificate>;
  /**
   * Files at fixed paths (`live.crt`, `live.key`) holding `first`, for a server to read again on SIGHUP;
   * `swap` replaces them in place with another certificate.
   */
  live(first: Certificate): Promise<LiveFiles>;
}

export interface LiveFiles {
  certFile: string;
  keyFile: string;
  swap(next: Certificate): Promise<void>;
}

export async function makeCertificates(): Promise<CertificateFolder> {
  const dir = await Deno.makeTempDir({ prefix: "chat-tls-" });
  return {
    dir,
    async certificate(name) {
      const certFile = `${dir}/${name}.crt`;
      const keyFile = `${dir}/${name}.key`;
      const { code, stderr } = await new Deno.Command("openssl", {
        args: [
          ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
          ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"],
          ...["-keyout", keyFile, "-out", certFile],
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (code !== 0) throw new Error(`openssl req failed: ${new TextDecoder().decode(stderr)}`);
      return { certFile, keyFile, pem: await Deno.readTextFile(certFile) };
    },
    async live(first) {
      const files = { certFile: `${dir}/live.crt`, keyFile: `${dir}/live.key` };
      const swap = async (next: Certificate) => {
        await Deno.copyFile(next.certFile, files.certFile);
        await Deno.copyFile(next.keyFile, files.keyFile);
      };
      await swap(first);
      return { ...files, swap };
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}
