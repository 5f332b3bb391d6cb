/**
 * The front end when stdin or stdout is not a terminal (a pipe, a file, a test): lines in, lines out.
 */
import type { InputQueue } from "./input_queue.ts";
import type { Screen } from "./session.ts";

const encoder = new TextEncoder();

export class PlainScreen implements Screen {
  constructor(private readonly input: InputQueue) {}

  /** Reads stdin line by line until it ends; each line is something typed. */
  async start(_interrupt: () => void): Promise<void> {
    let partial = "";
    for await (const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) this.input.push({ line: line.replace(/\r$/, "") });
    }
    if (partial !== "") this.input.push({ line: partial });
    this.input.push({ end: true });
  }

  print(text: string): void {
    writeAllSync(text + "\n");
  }

  setPrompt(): void {}

  close(): void {}
}

/** Writes all of `text` to stdout before returning, so lines never interleave or get cut. */
export function writeAllSync(text: string): void {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) written += Deno.stdout.writeSync(bytes.subarray(written));
}
