/**
 * Pages: how a route handler hands data to its page component, and how a page becomes an HTML
 * response — rendered with Preact inside `routes/_app.tsx`, plus, only when it rendered an island,
 * the island props and the bundle's `<script>`.
 *
 * @example
 * ```tsx
 * // routes/hello.tsx
 * import { page, type PageProps } from "../framework/page.ts";
 * export const handler = { GET: () => page({ name: "Ana" }) };
 * export default function Hello({ data }: PageProps<{ name: string }>) {
 *   return <p>Hello {data.name}</p>;
 * }
 * ```
 */
import type { Context } from "hono";
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { IslandBundle } from "./bundle.ts";
import { collectIslands, serializeProps } from "./island.ts";
import { ISLAND_PROPS_ID } from "./island_shared.ts";

/** What a page component receives. */
export interface PageProps<Data = undefined> {
  data: Data;
  url: URL;
  params: Record<string, string>;
}

/** What `routes/_app.tsx` receives: the page, ready to render with no props. */
export interface AppProps {
  Component: ComponentType;
  url: URL;
}

/** A handler's answer that asks for the route's page to be rendered with `data`. */
export class PageResult<Data = unknown> {
  constructor(readonly data: Data, readonly init: ResponseInit = {}) {}
}

/** Asks for the route's page component to be rendered with `data` (status and headers from `init`). */
export function page<Data>(data: Data, init?: ResponseInit): PageResult<Data> {
  return new PageResult(data, init);
}

export interface PageRenderer {
  app: ComponentType<AppProps> | undefined;
  bundle: IslandBundle;
}

/**
 * Renders `component` with `result.data` into a full HTML document. The island bundle is built (once)
 * only when the page contains an island.
 */
export async function renderPage(
  c: Context,
  // deno-lint-ignore no-explicit-any
  component: ComponentType<PageProps<any>>,
  result: PageResult,
  renderer: PageRenderer,
): Promise<Response> {
  const url = new URL(c.req.url);
  const props: PageProps<unknown> = { data: result.data, url, params: c.req.param() as Record<string, string> };
  const Component = () => h(component, props);
  const root = (renderer.app ? h(renderer.app, { Component, url }) : h(Component, {})) as VNode;
  const { value: body, islands } = collectIslands(() => renderToString(root));
  let html = `<!DOCTYPE html>${body}`;
  if (islands.length > 0) {
    const { path } = await renderer.bundle.get();
    const scripts = `<script type="application/json" id="${ISLAND_PROPS_ID}">` +
      `${serializeProps(islands.map((island) => island.props))}</script>` +
      `<script type="module" src="${path}"></script>`;
    html = insertBeforeBodyEnd(html, scripts);
  }
  const headers = new Headers(result.init.headers);
  headers.set("Content-Type", "text/html; charset=utf-8");
  return new Response(html, { status: result.init.status ?? 200, statusText: result.init.statusText, headers });
}

function insertBeforeBodyEnd(html: string, insert: string): string {
  const at = html.lastIndexOf("</body>");
  return at === -1 ? html + insert : html.slice(0, at) + insert + html.slice(at);
}
