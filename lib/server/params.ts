/** Dynamic route segments, checked: a bad one is answered with a field error, never looked up. */
import type { NextResponse } from 'next/server';
import { existingTopicSchema, groupNameSchema, messageIdSchema } from '@/lib/validation';
import { invalid, type ApiErrorBody } from './api';

/** A segment as the user meant it; broken percent-encoding (a lone "%", "%E0%A4%A") is not a name, not a 500. */
function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export async function topicParam(context: { params: Promise<{ topic: string }> }): Promise<string | null> {
  const parsed = existingTopicSchema.safeParse(decoded((await context.params).topic));
  return parsed.success ? parsed.data : null;
}

export async function groupParam(context: { params: Promise<{ group: string }> }): Promise<string | null> {
  const parsed = groupNameSchema.safeParse(decoded((await context.params).group));
  return parsed.success ? parsed.data : null;
}

export async function messageIdParam(context: { params: Promise<{ id: string }> }): Promise<string | null> {
  const parsed = messageIdSchema.safeParse(decoded((await context.params).id));
  return parsed.success ? parsed.data.toUpperCase() : null;
}

/**
 * GET /api/messages/:id?topic=: the message id segment and the optional topic query parameter, checked; or the
 * 400 answer naming the field that is wrong.
 */
export async function messageLookup(request: Request, context: { params: Promise<{ id: string }> }): Promise<{ ok: true; id: string; topic?: string } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  const id = await messageIdParam(context);
  if (!id) return { ok: false, response: invalid({ id: 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)' }) };
  const topicText = new URL(request.url).searchParams.get('topic');
  if (!topicText) return { ok: true, id };
  const topic = existingTopicSchema.safeParse(topicText);
  if (!topic.success) return { ok: false, response: invalid({ topic: topic.error.issues[0]?.message ?? 'Not a valid topic name' }) };
  return { ok: true, id, topic: topic.data };
}
