/**
 * The island bundle: one browser script that hydrates every island, built by `deno bundle --platform
 * browser` (a subprocess of this very Deno) the first time a page needs it, and named by the hash of
 * its content so it can be cached for good.
 *
 * @example
 * ```ts
 * import { type BuiltBundle, IslandBundle } from "./bundle.ts";
 * import { scanIslands } from "./island.ts";
 * export async function buildFor(root: URL): Promise<BuiltBundle> {
 *   const islands = await scanIslands(new URL("islands/", root));
 *   const bundle = new IslandBundle(islands, { config: new URL("deno.json", root) });
 *   return await bundle.get(); // built on the first call: { path: "/_islands/3f2a….js", code }
 * }
 * ```
 */
import { fileURLToPath } from "node:url";
import type { Island } from "./island.ts";
import { ISLANDS_PATH } from "./island_shared.ts";

export interface BuiltBundle {
  /** Where the bundle is served: `/_islands/<hash>.js`. */
  path: string;
  code: Uint8Array<ArrayBuffer>;
}

export interface BundleOptions {
  /** The deno.json whose import map and JSX settings the islands use. */
  config: URL;
  minify?: boolean;
}

/** Long-lived: the URL changes whenever the content does. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

const RUNTIME = new URL("./island_client.ts", import.meta.url);

export class IslandBundle {
  #built: Promise<BuiltBundle> | undefined;

  constructor(readonly islands: readonly Island[], readonly options: BundleOptions) {}

  /** The bundle, built on the first call; a failed build is retried on the next call. */
  get(): Promise<BuiltBundle> {
    this.#built ??= this.#build().catch((error) => {
      this.#built = undefined;
      throw error;
    });
    return this.#built;
  }

  async #build(): Promise<BuiltBundle> {
    const dir = await Deno.makeTempDir({ prefix: "islands-" });
    try {
      const entry = `${dir}/entry.ts`;
      const output = `${dir}/bundle.js`;
      await Deno.writeTextFile(entry, entrySource(this.islands));
      const args = ["bundle", "--platform", "browser", "--config", fileURLToPath(this.options.config), "-o", output];
      if (this.options.minify ?? true) args.push("--minify");
      const result = await new Deno.Command(Deno.execPath(), {
        args: [...args, entry],
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!result.success) {
        throw new Error(`deno bundle failed:\n${new TextDecoder().decode(result.stderr)}`);
      }
      const code = await Deno.readFile(output);
      return { path: `${ISLANDS_PATH}${await contentHash(code)}.js`, code };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

/** The generated entry module: imports every island module and hands the islands to the runtime. */
export function entrySource(islands: readonly Island[]): string {
  const modules = [...new Set(islands.map((island) => island.file.href))];
  const lines = [`import { boot } from ${JSON.stringify(RUNTIME.href)};`];
  modules.forEach((href, i) => lines.push(`import * as m${i} from ${JSON.stringify(href)};`));
  const entries = islands.map((island) =>
    `  ${JSON.stringify(island.name)}: m${modules.indexOf(island.file.href)}[${JSON.stringify(island.exportName)}],`
  );
  lines.push("boot({", ...entries, "});", "");
  return lines.join("\n");
}

async function contentHash(code: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", code));
  return [...digest.subarray(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
