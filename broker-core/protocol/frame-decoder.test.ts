/** Goal: frames come out whole whatever the TCP chunking. Method: every captured fixture, byte by byte and in random splits. */
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures';
import { FrameDecoder } from './frame-decoder';

const frames = listFixtures().map((name) => readFixture(name).frame);
const stream = Buffer.concat(frames);

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function decodeInPieces(pieceSizes: () => number): Buffer[] {
  const decoder = new FrameDecoder();
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const size = Math.max(1, pieceSizes());
    out.push(...decoder.push(stream.subarray(at, at + size)));
    at += size;
  }
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

describe('FrameDecoder', () => {
  it('returns every fixture frame when fed all of them one byte at a time', () => {
    const out = decodeInPieces(() => 1);
    expect(out.length).toBe(frames.length);
    out.forEach((frame, i) => expect(frame.equals(frames[i]!)).toBe(true));
  });

  it.each([1, 2, 3, 42, 1234])('returns every fixture frame in random splits (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const out = decodeInPieces(() => Math.floor(random() * 700));
    expect(out.length).toBe(frames.length);
    out.forEach((frame, i) => expect(frame.equals(frames[i]!)).toBe(true));
  });

  it('returns every frame when the whole stream arrives at once', () => {
    const out = new FrameDecoder().push(stream);
    expect(out.map((f) => f.length)).toEqual(frames.map((f) => f.length));
  });

  it('keeps a partial frame until the rest arrives', () => {
    const decoder = new FrameDecoder();
    const frame = frames[0]!;
    expect(decoder.push(frame.subarray(0, 6))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(6);
    const out = decoder.push(frame.subarray(6));
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(frame)).toBe(true);
  });

  it('rejects a length over the 16 MiB limit as soon as the prefix is in', () => {
    const decoder = new FrameDecoder();
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(16 * 1024 * 1024);
    expect(() => decoder.push(prefix)).toThrow(expect.objectContaining({ code: 'BROKER_ERR_FRAME_TOO_LARGE' }));
  });

  it('rejects a negative or tiny length', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'BROKER_ERR_DECODE' }));
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 3]))).toThrow(expect.objectContaining({ code: 'BROKER_ERR_DECODE' }));
  });

  it('honours a smaller configured limit', () => {
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(frames.find((f) => f.length > 1024)!)).toThrow(expect.objectContaining({ code: 'BROKER_ERR_FRAME_TOO_LARGE' }));
  });
});
