/**
 * 100k mutated frames (grown from the captured frames in broker-core/protocol/__fixtures__) against a NameServer
 * and a Broker in a child process, over many connections, while a well-behaved client sends and pulls on its own
 * connections (frame-fuzz.ts). The process must survive, answer the good client every time, keep memory and
 * sockets bounded, and no processor may fail on input it did not expect (a TypeError where a check belonged).
 * The seed is printed; `npx tsx scripts/reliability/fuzz.ts --seed N` replays a run.
 */
import { expect, it } from 'vitest';
import { runFrameFuzz } from './frame-fuzz';
import { fuzzVerdict } from './fuzz-bounds';

it('survives 100k mutated frames on many connections while a good client keeps working', async () => {
  const summary = await runFrameFuzz({ frames: 100_000 });
  const { memoryBefore, memoryAfter } = summary;
  console.log(
    `frame fuzz: seed ${summary.seed}, ${summary.frames} frames (${summary.validFrames} decodable, ${summary.corruptFrames} corrupt headers, ${summary.breakingFrames} broken framing) ` +
      `over ${summary.connections} connections, ${summary.framesPerSecond} frames/s; RSS ${memoryBefore.rss} -> ${memoryAfter.rss}, heap ${memoryBefore.heapUsed} -> ${memoryAfter.heapUsed}; ` +
      `sockets ${summary.socketsBefore} -> ${summary.socketsAfter}; ${summary.goodRoundTrips} good round trips`,
  );
  expect(fuzzVerdict(summary), `seed ${summary.seed}`).toEqual([]);
  expect(summary.frames).toBeGreaterThanOrEqual(100_000);
  expect(summary.answeredFrames).toBeGreaterThan(10_000);
  expect(summary.corruptFrames + summary.breakingFrames).toBeGreaterThan(1_000);
  expect(summary.goodRoundTrips).toBeGreaterThan(20);
}, 150_000);
