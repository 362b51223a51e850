/**
 * A live tail as a server-sent-events response: `start`, then `message` per forwarded message, `stats` each
 * second while they change, `warning` for a failed pull being retried, and `end`. A comment every
 * KEEPALIVE_MS keeps proxies from closing an idle stream. The tail stops (and closes its broker connections)
 * when the browser goes away: the stream is cancelled or the request aborted, whichever comes first.
 */
import type { AdminClient } from '@broker/client/admin-client';
import type { TailRequest } from '@/lib/explorer/schema';
import { chooseQueues, topicQueues } from './scanner';
import { openTail, tailStarts, type Tail, type TailEvent } from './tail';

const KEEPALIVE_MS = 15_000;

export type TailResponse = { ok: true; response: Response } | { ok: false; fields: Record<string, string> } | { ok: false; busy: string };

export async function tailResponse(admin: AdminClient, input: TailRequest, signal: AbortSignal): Promise<TailResponse> {
  const all = await topicQueues(admin, input.topic);
  if (!all) return { ok: false, fields: { topic: `Topic "${input.topic}" does not exist` } };
  const chosen = chooseQueues(all, input.queues);
  if (!chosen.ok) return chosen;
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  const write = (text: string) => {
    if (closed || !controller) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      closed = true;
    }
  };
  const emit = (e: TailEvent) => {
    write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    if (e.event === 'end' && !closed) {
      closed = true;
      clearInterval(keepalive);
      try {
        controller?.close();
      } catch {
        /* already closed by the browser going away */
      }
    }
  };
  let tail: Tail | null = null;
  let keepalive: NodeJS.Timeout | undefined;
  const goneAway = () => {
    closed = true;
    clearInterval(keepalive);
    void tail?.stop();
  };
  // The stream exists before the tail starts, so its first events (start, stats) are not lost.
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      write(`retry: 3600000\n\n`); // a paused or closed tail is resumed by the page, never by the browser on its own
    },
    cancel: goneAway,
  });
  const opened = openTail(admin.namesrvAddr, tailStarts(chosen.queues, input.cursor), input, input.rate, emit);
  if (!opened.ok) return opened;
  tail = opened.tail;
  keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
  if (signal.aborted) goneAway();
  else signal.addEventListener('abort', goneAway, { once: true });
  return {
    ok: true,
    response: new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        // no-transform: compression would hold events back until a buffer fills.
        'cache-control': 'no-cache, no-store, no-transform',
        'x-accel-buffering': 'no',
      },
    }),
  };
}
