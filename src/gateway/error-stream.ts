// gwi.errors: the text stream an application writes tracebacks and warnings to.
import type { ErrorStream } from './types.js';

/** Writes to a Node stream (the server's stderr). */
export class StreamErrors implements ErrorStream {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(text: string): void {
    this.stream.write(text);
  }

  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }

  flush(): void {}
}

/** Collects what is written, for tests and `setupTestingDefaults`. */
export class StringErrors implements ErrorStream {
  value = '';

  write(text: string): void {
    this.value += text;
  }

  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }

  flush(): void {}
}
