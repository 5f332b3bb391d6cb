/**
 * The browser half of islands: finds each island marker the server rendered and hydrates it with the
 * component of that name and its props. The only file under `server/` that ships to the browser; the
 * generated bundle entry calls {@link boot} with every island.
 *
 * @example
 * ```ts
 * import Chat from "../islands/Chat.tsx";
 * import { boot } from "./island_client.ts";
 * // In the browser, as the generated bundle entry does (see entrySource in bundle.ts):
 * export function start(): void {
 *   boot({ Chat }); // hydrates every element marked as the `Chat` island, with its props
 * }
 * ```
 */
import { type ComponentType, h, hydrate } from "preact";
import { DATA_ISLAND, DATA_ISLAND_PROPS, ISLAND_PROPS_ID } from "./island_shared.ts";

// deno-lint-ignore no-explicit-any
export function boot(islands: Record<string, ComponentType<any>>): void {
  const json = document.getElementById(ISLAND_PROPS_ID)?.textContent;
  const allProps: Record<string, unknown>[] = json ? JSON.parse(json) : [];
  for (const element of document.querySelectorAll(`[${DATA_ISLAND}]`)) {
    const name = element.getAttribute(DATA_ISLAND)!;
    const component = islands[name];
    if (!component) {
      console.error(`island "${name}" is not in the bundle`);
      continue;
    }
    const props = allProps[Number(element.getAttribute(DATA_ISLAND_PROPS))] ?? {};
    hydrate(h(component, props), element);
  }
}
