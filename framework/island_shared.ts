/**
 * What the server-side island renderer and the browser-side hydration runtime agree on: the names of
 * the markers in the HTML. Dependency-free: this file ships to the browser.
 */

/** Attribute on the element that wraps one server-rendered island; its value is the island's name. */
export const DATA_ISLAND = "data-island";
/** Attribute holding the index of the island's props in the serialized props array. */
export const DATA_ISLAND_PROPS = "data-island-props";
/** Id of the `<script type="application/json">` holding every island's props, in marker order. */
export const ISLAND_PROPS_ID = "__island_props";
/** URL prefix the island bundle is served under: `/_islands/<hash>.js`. */
export const ISLANDS_PATH = "/_islands/";
