/** Dynamic route segments, checked: a bad one is answered with a field error, never looked up. */
import { existingTopicSchema, groupNameSchema, messageIdSchema } from '@/lib/validation';

export async function topicParam(context: { params: Promise<{ topic: string }> }): Promise<string | null> {
  const parsed = existingTopicSchema.safeParse(decodeURIComponent((await context.params).topic));
  return parsed.success ? parsed.data : null;
}

export async function groupParam(context: { params: Promise<{ group: string }> }): Promise<string | null> {
  const parsed = groupNameSchema.safeParse(decodeURIComponent((await context.params).group));
  return parsed.success ? parsed.data : null;
}

export async function messageIdParam(context: { params: Promise<{ id: string }> }): Promise<string | null> {
  const parsed = messageIdSchema.safeParse(decodeURIComponent((await context.params).id));
  return parsed.success ? parsed.data.toUpperCase() : null;
}
