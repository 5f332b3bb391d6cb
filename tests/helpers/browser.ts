/**
 * Real Chromium for the browser tests, driven by playwright-core, plus a small page object for the
 * chat page. Chromium comes from the system (`tests/setup.sh` installs Debian's `chromium`); outside
 * CI a machine without it skips the browser tests, in CI (`CI=true`) they fail instead.
 *
 * @example
 * ```ts
 * import { launchBrowser, openChat } from "./browser.ts";
 * import { startServer } from "./server.ts";
 * // Deno.test({ name: "a page signs in", ...BROWSER_TEST, fn: aPageSignsIn });
 * export async function aPageSignsIn(): Promise<void> {
 *   await using server = await startServer();
 *   await using browser = await launchBrowser();
 *   const ana = await openChat(browser, server.httpUrl);
 *   await ana.signIn("Ana");
 * }
 * ```
 */
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const IN_CI = Deno.env.get("CI") === "true";
/** Generous: two cores shared by several test runs. Waits end as soon as the page gets there. */
export const UI_TIMEOUT_MS = 20_000;

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** Spread into `Deno.test`: skipped only outside CI when Chromium is missing; Playwright keeps timers. */
export const BROWSER_TEST = {
  ignore: !IN_CI && !chromiumInstalled(),
  sanitizeOps: false,
  sanitizeResources: false,
};

export type TestBrowser = Browser & AsyncDisposable;

export async function launchBrowser(): Promise<TestBrowser> {
  if (!chromiumInstalled()) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run tests/setup.sh (or set CHROMIUM_PATH)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

export interface ChatPageOptions {
  viewport?: { width: number; height: number };
  javaScriptEnabled?: boolean;
  /** false: the page's localStorage throws on every use, as in browsers that forbid site storage. */
  storage?: boolean;
  /** Trust any certificate (the tests' self-signed ones). */
  ignoreHTTPSErrors?: boolean;
  /** The browser's time zone (IANA name), e.g. `America/New_York`; the system's by default. */
  timezoneId?: string;
  /** Prepares the context before the page is opened (permissions, init scripts, routes). */
  prepare?: (context: BrowserContext) => Promise<unknown>;
}

/** Opens the chat page in a fresh browser context (its own cookies and localStorage). */
export async function openChat(browser: Browser, url: string, options: ChatPageOptions = {}): Promise<ChatPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    timezoneId: options.timezoneId,
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  if (options.storage === false) {
    await context.addInitScript(() => {
      Object.defineProperty(globalThis, "localStorage", {
        get() {
          throw new DOMException("storage is forbidden here", "SecurityError");
        },
      });
    });
  }
  await options.prepare?.(context);
  const page = await context.newPage();
  const chat = new ChatPage(page);
  await page.goto(url);
  return chat;
}

/** The chat page as a user sees it: the field, the button, the status, the messages, who is online. */
export class ChatPage {
  /** Uncaught errors in the page; a healthy page has none. */
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on("pageerror", (error) => this.errors.push(error.message));
  }

  get field(): Locator {
    return this.page.locator("#composer-input");
  }

  get button(): Locator {
    return this.page.locator(".composer button[type=submit]");
  }

  get status(): Locator {
    return this.page.getByRole("status");
  }

  get fieldError(): Locator {
    return this.page.locator("#composer-error");
  }

  /** The online list's entries (names only). */
  get members(): Locator {
    return this.page.locator(".members .member-name");
  }

  /** Messages (not joins or notices) by sender and text. */
  message(from: string, text: string): Locator {
    return this.page.locator(".entry.message").filter({
      has: this.page.locator(".from", { hasText: new RegExp(`^${escape(from)}$`) }),
    }).filter({ has: this.page.locator(".text", { hasText: new RegExp(`^${escape(text)}$`) }) });
  }

  /** Any entry whose text contains `text` (joins, leaves, notices). */
  /** A member's `/me` action: the name, then the text, styled as an action, never as a notice. */
  action(from: string, text: string): Locator {
    return this.page.locator(".entry.action").filter({
      has: this.page.locator(".from", { hasText: new RegExp(`^${escape(from)}$`) }),
    }).filter({ has: this.page.locator(".text", { hasText: new RegExp(`^${escape(text)}$`) }) });
  }

  entry(text: string | RegExp): Locator {
    return this.page.locator(".entry", { hasText: text });
  }

  async expectStatus(text: string): Promise<void> {
    await this.page.locator(".status", { hasText: new RegExp(`^${escape(text)}$`) }).waitFor();
  }

  /** Types the name, presses Enter, and waits until the page is online under it. */
  async signIn(name: string): Promise<void> {
    await this.expectStatus("Not signed in");
    await this.field.fill(name);
    await this.field.press("Enter");
    await this.page.locator(".whoami b", { hasText: name }).waitFor();
    await this.expectStatus("Online");
  }

  /** Types the text and presses Enter (what a user does); does not wait for the echo. */
  async type(text: string): Promise<void> {
    await this.field.fill(text);
    await this.field.press("Enter");
  }

  /** Waits until the field holds exactly `value` (the page clears it once the server took the text). */
  async expectField(value: string): Promise<void> {
    await this.page.waitForFunction(
      (value) => (document.querySelector("#composer-input") as HTMLInputElement).value === value,
      value,
    );
  }

  /** Waits until the online list shows exactly these names, in any order. */
  async expectMembers(names: string[]): Promise<void> {
    const want = [...names].sort().join(",");
    await this.page.waitForFunction(
      (want) =>
        [...document.querySelectorAll(".members .member-name")].map((e) => e.textContent).sort().join(",") === want,
      want,
    );
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
