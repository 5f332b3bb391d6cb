/** Finding the modules of a folder tree, for the file-based routes and islands. */

/**
 * Relative paths (with `/`) of the script modules under `dir`, recursively, in a stable sorted order;
 * test files are left out, and a missing folder has none.
 *
 * @example
 * ```ts
 * import { listModules } from "./files.ts";
 * await listModules(new URL("../routes/", import.meta.url)); // ["_app.tsx", "api/_middleware.ts", …, "readyz.ts"]
 * ```
 */
export async function listModules(dir: URL, prefix = ""): Promise<string[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(new URL(prefix, dir))) entries.push(entry);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const files: string[] = [];
  for (const entry of entries) {
    const path = prefix + entry.name;
    if (entry.isDirectory) files.push(...await listModules(dir, path + "/"));
    else if (MODULE.test(entry.name) && !TEST.test(entry.name)) files.push(path);
  }
  return files;
}

const MODULE = /\.[jt]sx?$/;
const TEST = /[._]test\.[jt]sx?$/;
