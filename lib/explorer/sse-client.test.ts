/** The browser's event-stream parser, fed whole, byte by byte and in random splits. */
import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-client';

const stream = 'retry: 3600000\n\nevent: start\ndata: {"queues":["broker-a:0"]}\n\n: keepalive\n\nevent: message\ndata: {"preview":"a\\nb"}\n\r\ndata: line 1\ndata: line 2\n\nevent: end\ndata: {}\n\n';
const crlf = stream.replace(/\n/g, '\r\n');
const expected = [
  { event: 'start', data: '{"queues":["broker-a:0"]}' },
  { event: 'message', data: '{"preview":"a\\nb"}' },
  { event: 'message', data: 'line 1\nline 2' },
  { event: 'end', data: '{}' },
];

describe('SseParser', () => {
  it('reads events whole, byte by byte, and in random pieces', () => {
    expect(new SseParser().feed(stream)).toEqual(expected);
    const byByte = new SseParser();
    expect([...stream].flatMap((c) => byByte.feed(c))).toEqual(expected);
    const crlfByByte = new SseParser();
    expect([...crlf].flatMap((c) => crlfByByte.feed(c))).toEqual(expected);
    for (let run = 0; run < 50; run++) {
      const parser = new SseParser();
      const out = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(Math.random() * 20);
        out.push(...parser.feed(stream.slice(at, at + size)));
        at += size;
      }
      expect(out).toEqual(expected);
    }
  });
});
