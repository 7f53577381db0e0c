// Reading a server-sent event stream (WHATWG HTML §9.2.6 "Interpreting an event stream"): lines end
// in CRLF, LF or CR; "event" names the type, "data" lines join with LF, a blank line dispatches, a
// line starting with ":" is a comment. Shared by the dashboard (which reads the stream with fetch so
// it can send the Authorization header) and its tests.

/** Feeds decoded text chunks; calls `onEvent` for every complete event. Chunks may split anywhere. */
export class SseParser {
  private buf = '';
  private type = '';
  private data: string[] = [];
  private lastId = '';

  constructor(private readonly onEvent: (type: string, data: string, id: string) => void) {}

  /** The last `id:` seen (what a reconnect would send as Last-Event-ID). */
  get id(): string {
    return this.lastId;
  }

  push(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buf);
      // a CR at the very end may be the first half of a CRLF: wait for the next chunk
      if (!m || (m[0] === '\r' && m.index === this.buf.length - 1)) return;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent(this.type || 'message', this.data.join('\n'), this.lastId);
      this.type = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }
}

/** Reads a fetch body to its end through the parser. */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (type: string, data: string, id: string) => void,
): Promise<void> {
  const parser = new SseParser(onEvent);
  const decoder = new TextDecoder(); // UTF-8; `stream` keeps a character split across chunks whole
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(decoder.decode(value, { stream: true }));
  }
}
