/**
 * Splits a TCP byte stream into whole frames (length prefix included), whatever the chunking.
 * Chunks are kept as a list and joined once per frame, so a 16 MiB frame arriving in 64 KiB pieces
 * is copied once, not once per piece.
 */
import { FRAME_BYTES_MAX } from '../config/limits';
import { FrameTooLargeError, ProtocolDecodeError } from '../util/errors';

export class FrameDecoder {
  readonly #frameBytesMax: number;
  #chunks: Buffer[] = [];
  #bufferedBytes = 0;
  /** Whole frame size (prefix included) of the frame being assembled, or -1 before its prefix is read. */
  #expectedBytes = -1;

  constructor(frameBytesMax = FRAME_BYTES_MAX) {
    this.#frameBytesMax = frameBytesMax;
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Feeds bytes; returns the frames completed by them. Throws on a length that can never be valid. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#bufferedBytes += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#expectedBytes < 0) {
        if (this.#bufferedBytes < 4) break;
        const frameLength = this.#peekInt32();
        if (frameLength < 4) throw new ProtocolDecodeError(`frame length ${frameLength} is smaller than the 4-byte header word`);
        if (frameLength + 4 > this.#frameBytesMax) throw new FrameTooLargeError(frameLength + 4, this.#frameBytesMax);
        this.#expectedBytes = frameLength + 4;
      }
      if (this.#bufferedBytes < this.#expectedBytes) break;
      frames.push(this.#take(this.#expectedBytes));
      this.#expectedBytes = -1;
    }
    return frames;
  }

  #peekInt32(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const joined = Buffer.concat(this.#chunks, Math.min(this.#bufferedBytes, 4));
    return joined.readInt32BE(0);
  }

  #take(bytes: number): Buffer {
    const first = this.#chunks[0]!;
    let frame: Buffer;
    if (first.length >= bytes) {
      frame = first.subarray(0, bytes);
      if (first.length === bytes) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(bytes);
    } else {
      frame = Buffer.allocUnsafe(bytes);
      let copied = 0;
      while (copied < bytes) {
        const chunk = this.#chunks[0]!;
        const part = Math.min(chunk.length, bytes - copied);
        chunk.copy(frame, copied, 0, part);
        copied += part;
        if (part === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      }
    }
    this.#bufferedBytes -= bytes;
    return frame;
  }
}
