/**
 * Reading request bodies defensively. A body is whatever the peer sent: after parseJavaJson it can hold any
 * JSON value where an object, a list or a number was expected. These narrow a value to the expected shape
 * and give `undefined` (or an empty list) otherwise, so processors never dereference a null or iterate a number.
 */
export type JsonObject = Record<string, unknown>;

export function objectOf(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The object entries of a JSON list; anything else in their place is dropped. */
export function objectsOf(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) return [];
  const objects: JsonObject[] = [];
  for (const item of value) {
    const object = objectOf(item);
    if (object) objects.push(object);
  }
  return objects;
}

export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The strings of a JSON list. */
export function textsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A whole number within [min, max] (numbers or numeric strings, as fastjson writes either). */
export function integerOf(value: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}
