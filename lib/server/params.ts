/** Dynamic route segments, checked: a bad one is answered with a field error, never looked up. */
import { existingTopicSchema, groupNameSchema, messageIdSchema } from '@/lib/validation';

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
