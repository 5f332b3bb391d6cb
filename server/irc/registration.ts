/**
 * A client's registration, as a state machine with no I/O: capability negotiation (`CAP LS`/`REQ`/`LIST`/
 * `END`), `USER`, and whether the connection may now be welcomed. The nick is the room's business (claimed
 * as it comes); this only knows whether one is held.
 *
 * Registration completes once a nick is held and `USER` was given, unless CAP negotiation is open: `CAP LS`
 * or `CAP REQ` before registration opens it and holds registration until `CAP END`.
 *
 * @example
 * ```ts
 * import { Registration } from "./registration.ts";
 * const registration = new Registration();
 * registration.cap(["LS", "302"]); // [["LS", "server-time message-tags echo-message"]]
 * registration.cap(["REQ", "server-time"]); // [["ACK", "server-time"]]
 * registration.user(["ana", "0", "*", "Ana"]);
 * registration.ready(true); // false: negotiation is still open
 * registration.cap(["END"]);
 * registration.ready(true); // true: welcome the client
 * ```
 */
import { CAPABILITIES, ERR } from "./replies.ts";

const OFFERED: ReadonlySet<string> = new Set(CAPABILITIES);

/** A `CAP` answer's parameters after the client's nick (`["ACK", "server-time"]`), or a numeric's. */
export type CapAnswer = string[];

export class Registration {
  /** The capabilities the client has enabled. */
  readonly caps = new Set<string>();
  #negotiating = false;
  #user: string | undefined;
  #registered = false;

  get registered(): boolean {
    return this.#registered;
  }

  /** The username `USER` gave. */
  get username(): string | undefined {
    return this.#user;
  }

  /** The answers to one `CAP` command (`params` after `CAP`); an unknown subcommand gets a 410 numeric. */
  cap(params: string[]): { cap?: CapAnswer; numeric?: string[] }[] {
    const sub = (params[0] ?? "").toUpperCase();
    switch (sub) {
      case "LS":
        if (!this.#registered) this.#negotiating = true;
        return [{ cap: ["LS", CAPABILITIES.join(" ")] }];
      case "LIST":
        return [{ cap: ["LIST", [...this.caps].join(" ")] }];
      case "REQ": {
        if (!this.#registered) this.#negotiating = true;
        const asked = (params[1] ?? "").split(" ").filter((cap) => cap !== "");
        // All or nothing: one unknown capability refuses the whole request.
        if (asked.length === 0 || !asked.every((cap) => OFFERED.has(cap.replace(/^-/, "")))) {
          return [{ cap: ["NAK", params[1] ?? ""] }];
        }
        for (const cap of asked) {
          if (cap.startsWith("-")) this.caps.delete(cap.slice(1));
          else this.caps.add(cap);
        }
        return [{ cap: ["ACK", asked.join(" ")] }];
      }
      case "END":
        this.#negotiating = false;
        return [];
      default:
        return [{ numeric: ["410", sub || "*", "Invalid CAP command"] }];
    }
  }

  /** `USER` (`params` after it): undefined when taken, else the numeric refusing it. */
  user(params: string[]): string[] | undefined {
    if (this.#registered) return [ERR.ALREADYREGISTERED, "You may not reregister"];
    if (params.length < 4 || params[0] === "") return [ERR.NEEDMOREPARAMS, "USER", "Not enough parameters"];
    this.#user = params[0];
    return undefined;
  }

  /**
   * Whether registration completes now, given whether a nick is held; true once, and the client is from then
   * on registered.
   */
  ready(nickHeld: boolean): boolean {
    if (this.#registered || this.#negotiating || !nickHeld || this.#user === undefined) return false;
    this.#registered = true;
    return true;
  }
}
