/**
 * Server-sent events read with fetch instead of EventSource: a bad request answers 400 with field errors the
 * page can show (EventSource only says "error"), nothing reconnects on its own (a paused tail resumes from its
 * cursor, by the page), and an AbortController ends it, which the server sees as the browser going away.
 */
import { ApiError } from '@/lib/fetch-json';

export interface SseEvent {
  event: string;
  data: string;
}

/** Splits an event stream into events; `feed` returns the complete ones, keeping a partial tail for the next chunk. */
export class SseParser {
  #buffer = '';
  #pendingCr = '';

  feed(chunk: string): SseEvent[] {
    // A \r at the end of a chunk may be half of a \r\n: it waits for the next chunk.
    const raw = this.#pendingCr + chunk;
    this.#pendingCr = raw.endsWith('\r') ? '\r' : '';
    this.#buffer += (this.#pendingCr ? raw.slice(0, -1) : raw).replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

/** Opens the stream and calls `onEvent` for each event until it ends or `signal` aborts; throws ApiError for a refused request. */
export async function readEventStream(url: string, signal: AbortSignal, onEvent: (event: SseEvent) => void): Promise<void> {
  const response = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null;
    throw new ApiError(response.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `HTTP ${response.status}`, body?.error?.fields ?? {});
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const event of parser.feed(value)) onEvent(event);
    }
  } finally {
    reader.releaseLock();
  }
}
