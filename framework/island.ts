/**
 * Islands on the server: every component exported from `islands/` renders as usual, wrapped in a
 * marker element naming it, and its props are collected so the page can ship them (as JSON, escaped)
 * for hydration. A page that renders no island collects nothing and ships no JavaScript.
 *
 * @example
 * ```ts
 * import { h } from "preact";
 * import { renderToString } from "preact-render-to-string";
 * import { collectIslands, scanIslands, serializeProps } from "./island.ts";
 * await scanIslands(new URL("../islands/", import.meta.url)); // once, at start-up
 * const { value: html, islands } = collectIslands(() => renderToString(h("main", null, "page")));
 * const json = serializeProps(islands.map((island) => island.props)); // "[]": no island on this page
 * ```
 */
import { type ComponentType, createContext, h, isValidElement, options, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { listModules } from "./files.ts";
import { DATA_ISLAND, DATA_ISLAND_PROPS } from "./island_shared.ts";

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

/** One island: a component exported from a file under `islands/`. */
export interface Island {
  /** Unique, stable name used in the HTML marker: `Chat`, or `chat/Parts.Composer` for named exports. */
  name: string;
  /** The module that exports it. */
  file: URL;
  /** `default` or the export's name. */
  exportName: string;
  component: AnyComponent;
}

/** An island rendered on the current page, in document order. */
export interface RenderedIsland {
  name: string;
  props: Record<string, unknown>;
}

const byComponent = new Map<AnyComponent, Island>();
const InsideIsland = createContext(false);
let rendered: RenderedIsland[] | undefined;
let plain = false;

/**
 * Imports every module under `dir` and registers each exported component as an island: the default
 * export if it is a function, named exports that are functions with a capitalized name (so helpers
 * like `createChat` are not). Returns them sorted by name.
 */
export async function scanIslands(dir: URL): Promise<Island[]> {
  const islands: Island[] = [];
  for (const file of await listModules(dir)) {
    const url = new URL(file, dir);
    const module = await import(url.href) as Record<string, unknown>;
    const stem = file.replace(/\.[jt]sx?$/, "");
    for (const [exportName, value] of Object.entries(module)) {
      if (!isComponent(exportName, value)) continue;
      const name = exportName === "default" ? stem : `${stem}.${exportName}`;
      const island = { name, file: url, exportName, component: value };
      byComponent.set(value, island);
      islands.push(island);
    }
  }
  installHook();
  return islands.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Runs a synchronous render and returns what it produced together with the islands it rendered.
 * Islands nested inside another island render as plain components: the outer one hydrates them.
 */
export function collectIslands<T>(render: () => T): { value: T; islands: RenderedIsland[] } {
  const outer = rendered;
  const islands: RenderedIsland[] = [];
  rendered = islands;
  try {
    return { value: render(), islands };
  } finally {
    rendered = outer;
  }
}

/**
 * Island props as JSON that is safe inside `<script type="application/json">`: `<`, `>`, `&` and the
 * JavaScript line separators are escaped, so no text in the props can close the script element.
 * Throws for values JSON cannot carry (functions, JSX), which would otherwise vanish silently.
 */
export function serializeProps(props: unknown[]): string {
  const json = JSON.stringify(props, (key, value) => {
    if (isValidElement(value)) {
      throw new TypeError(`island prop "${key}" is JSX; island props must be JSON`);
    }
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
      throw new TypeError(`island prop "${key}" is a ${typeof value}; island props must be JSON`);
    }
    return value;
  });
  return json.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function IslandMarker({ island, props }: { island: Island; props: Record<string, unknown> }) {
  const inside = useContext(InsideIsland);
  const body = plainVNode(island.component, props);
  if (inside || rendered === undefined) return body;
  const index = rendered.push({ name: island.name, props }) - 1;
  return h(
    "div",
    { [DATA_ISLAND]: island.name, [DATA_ISLAND_PROPS]: String(index) },
    h(InsideIsland.Provider, { value: true }, body),
  );
}

function plainVNode(component: AnyComponent, props: Record<string, unknown>): VNode {
  plain = true;
  try {
    return h(component, props);
  } finally {
    plain = false;
  }
}

let installed = false;
function installHook(): void {
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    if (!plain && typeof vnode.type === "function") {
      const island = byComponent.get(vnode.type as AnyComponent);
      if (island) {
        const marked = vnode as unknown as { type: unknown; props: unknown };
        marked.props = { island, props: vnode.props };
        marked.type = IslandMarker;
      }
    }
    previous?.(vnode);
  };
}

/** The default export if it is a function; named exports if they are functions named like components. */
function isComponent(exportName: string, value: unknown): value is AnyComponent {
  return typeof value === "function" && (exportName === "default" || /^[A-Z]/.test(exportName));
}
