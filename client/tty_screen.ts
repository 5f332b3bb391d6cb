/**
 * The terminal front end: stdin in raw mode feeds the {@link LineEditor}, Enter hands the line to the session,
 * and every printed line goes above the line being typed.
 */
import type { InputQueue } from "./input_queue.ts";
import { LineEditor } from "./line_editor.ts";
import type { Screen } from "./session.ts";
import { writeAllSync } from "./plain_screen.ts";

const PROMPTS = { name: "name: ", chat: "> " };

export class TtyScreen implements Screen {
  #editor = new LineEditor(() => Deno.consoleSize().columns);

  constructor(private readonly input: InputQueue) {}

  /** Takes over the terminal and reads keys until stdin ends; `interrupt` is Ctrl-C. */
  async start(interrupt: () => void): Promise<void> {
    Deno.stdin.setRaw(true);
    writeAllSync(this.#editor.redraw());
    const decoder = new TextDecoder();
    for await (const chunk of Deno.stdin.readable) {
      const { output, events } = this.#editor.feed(decoder.decode(chunk, { stream: true }));
      writeAllSync(output);
      for (const event of events) {
        if ("interrupt" in event) interrupt();
        else this.input.push(event);
      }
    }
    this.input.push({ end: true });
  }

  print(text: string): void {
    writeAllSync(this.#editor.printAbove(text));
  }

  setPrompt(mode: "name" | "chat"): void {
    writeAllSync(this.#editor.setPrompt(PROMPTS[mode]));
  }

  /** Gives the terminal back as it was. */
  close(): void {
    writeAllSync(this.#editor.clear());
    Deno.stdin.setRaw(false);
  }
}
