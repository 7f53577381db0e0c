// The SSE reader against the WHATWG examples and every way a chunk can split a stream.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SseParser, readEventStream } from './sse.js';
import { sseFrame } from './stream.js';

function parseAll(chunks: readonly string[]): [string, string, string][] {
  const out: [string, string, string][] = [];
  const p = new SseParser((type, data, id) => out.push([type, data, id]));
  for (const c of chunks) p.push(c);
  return out;
}

const STREAM =
  'retry: 2000\r\n: a comment\r\nid: 1\r\nevent: hello\r\ndata: {"at":1}\r\n\r\n' +
  'data: first line\ndata: second line\n\n' +
  'event:audit\rdata:{"id":7}\r\r' +
  'data\n\n' +
  'id: 9\nevent: rates\ndata:  two spaces\n\n' +
  'event: unfinished\ndata: never dispatched\n';

const EXPECTED: [string, string, string][] = [
  ['hello', '{"at":1}', '1'],
  ['message', 'first line\nsecond line', '1'],
  ['audit', '{"id":7}', '1'],
  ['message', '', '1'],
  ['rates', ' two spaces', '9'],
];

describe('SseParser', () => {
  it('reads CRLF, LF and CR lines, comments, multi-line data, default type, ids', () => {
    expect(parseAll([STREAM])).toEqual(EXPECTED);
  });

  test.prop([fc.array(fc.nat(STREAM.length), { maxLength: 12 })])(
    'gives the same events however the stream is cut into chunks',
    (cuts) => {
      const at = [...new Set(cuts)].sort((a, b) => a - b);
      const chunks = [0, ...at].map((from, i) => STREAM.slice(from, at[i] ?? STREAM.length));
      expect(parseAll(chunks)).toEqual(EXPECTED);
    },
  );

  it('reads what the server writes, including UTF-8 split across network chunks', async () => {
    const text = sseFrame(3, 'audit', { reason: 'withdrawn — über 10 Gbit/s ✓' });
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.subarray(i, i + 5));
        c.close();
      },
    });
    const got: [string, unknown, string][] = [];
    await readEventStream(body, (type, data, id) => got.push([type, JSON.parse(data), id]));
    expect(got).toEqual([['audit', { reason: 'withdrawn — über 10 Gbit/s ✓' }, '3']]);
  });
});
