/**
 * Typed request and response headers ("custom headers", RocketMQ's CommandCustomHeader classes) declared once
 * and read the same way by the broker, the NameServer, the ACL and our clients.
 *
 * On the wire a header is the frame's extFields: a flat map of text keys to text values. A schema lists its
 * fields in order, each with
 *   - its wire name (the Java field name),
 *   - optionally a short name (SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE rename every field to one letter),
 *   - its type: string, int (Java int), long (Java long), boolean,
 *   - whether it is required, optional, or has a default.
 *
 * decode(extFields) reads the fields as RocketMQ's decodeCommandCustomHeader does:
 *   string   the value as sent; a required string that is absent or empty is an error
 *   int      Integer.parseInt: optional sign and digits, within the Java int range, else an error
 *   long     Long.parseLong, within the Java long range (read as the nearest double past 2^53)
 *   boolean  "true" is true, anything else false (Boolean.parseBoolean); absent or empty is absent
 *   absent, empty and "null" numbers read as absent; a required field that is absent is an error
 *     ("the custom field <name> is null"); a field with a default reads as its default
 * With short names, a field may come under either name but never under both: a request that names a field
 * twice (`b` and `topic`) is refused with HeaderFieldConflictError, so that whatever reads the header (the
 * ACL, the processor) sees exactly one value for it. Keys the schema does not list are ignored.
 *
 * encode(header) writes the fields present, in the schema's order, as text (long or short names).
 */
import { BrokerError } from '../../util/errors';

/** A header field that is missing, not a number, or out of its type's range: answered SYSTEM_ERROR with a remark. */
export class HeaderFieldError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'HeaderFieldError';
  }
}

/** A field sent under both its short and its long name (`b` and `topic`). */
export class HeaderFieldConflictError extends HeaderFieldError {
  readonly field: string;
  readonly shortName: string;

  constructor(field: string, shortName: string) {
    super(`the custom field <${field}> is sent twice, as <${shortName}> and as <${field}>: send one of them`);
    this.name = 'HeaderFieldConflictError';
    this.field = field;
    this.shortName = shortName;
  }
}

export type FieldKind = 'string' | 'int' | 'long' | 'boolean';
type KindValue = { string: string; int: number; long: number; boolean: boolean };
export type Presence = 'required' | 'optional' | 'default';

export interface FieldSpec<K extends FieldKind = FieldKind, P extends Presence = Presence> {
  readonly kind: K;
  readonly presence: P;
  /** The one-letter name of SEND_MESSAGE_V2 style headers. */
  readonly short?: string;
  readonly defaultValue?: KindValue[K];
}

export type Fields = Readonly<Record<string, FieldSpec>>;

type ValueOf<F> = F extends FieldSpec<infer K, infer P> ? (P extends 'optional' ? KindValue[K] | undefined : KindValue[K]) : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type KeysWhere<F extends Fields, P extends Presence> = { [K in keyof F]: F[K] extends FieldSpec<FieldKind, P> ? K : never }[keyof F];

/** A decoded header: required and defaulted fields always hold a value, optional ones may be undefined. */
export type Decoded<F extends Fields> = Simplify<{ readonly [K in keyof F]: ValueOf<F[K]> }>;
/** What encode takes: the required fields, and any of the others. */
export type EncodeInput<F extends Fields> = Simplify<
  { [K in KeysWhere<F, 'required'>]: KindValue[F[K]['kind']] } & { [K in Exclude<keyof F, KeysWhere<F, 'required'>>]?: KindValue[F[K]['kind']] | undefined }
>;
/** The decoded type of a schema: `type PullMessageRequestHeader = HeaderOf<typeof PullMessageRequestHeader>`. */
export type HeaderOf<S> = S extends HeaderSchema<infer F> ? Decoded<F> : never;

function spec<K extends FieldKind, P extends Presence>(kind: K, presence: P, options: { short?: string; defaultValue?: KindValue[K] } = {}): FieldSpec<K, P> {
  return { kind, presence, ...options };
}

/** Field builders: `required.string({ short: 'b' })`, `optional.long()`, `withDefault.int(0)`. */
export const required = {
  string: (options?: { short?: string }) => spec('string', 'required', options),
  int: (options?: { short?: string }) => spec('int', 'required', options),
  long: (options?: { short?: string }) => spec('long', 'required', options),
  boolean: (options?: { short?: string }) => spec('boolean', 'required', options),
};
export const optional = {
  string: (options?: { short?: string }) => spec('string', 'optional', options),
  int: (options?: { short?: string }) => spec('int', 'optional', options),
  long: (options?: { short?: string }) => spec('long', 'optional', options),
  boolean: (options?: { short?: string }) => spec('boolean', 'optional', options),
};
export const withDefault = {
  string: (defaultValue: string, options?: { short?: string }) => spec('string', 'default', { ...options, defaultValue }),
  int: (defaultValue: number, options?: { short?: string }) => spec('int', 'default', { ...options, defaultValue }),
  long: (defaultValue: number, options?: { short?: string }) => spec('long', 'default', { ...options, defaultValue }),
  boolean: (defaultValue: boolean, options?: { short?: string }) => spec('boolean', 'default', { ...options, defaultValue }),
};

const INTEGER_TEXT = /^[+-]?\d{1,20}$/;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** Up to 15 digits a double holds exactly: no BigInt needed to check the range. */
const SAFE_DIGITS_MAX = 15;
/** Field values quoted in remarks are cut: a hostile 60 KB value need not come back in the answer. */
const PREVIEW_CHARS_MAX = 64;

function preview(value: string): string {
  return value.length > PREVIEW_CHARS_MAX ? `${value.slice(0, PREVIEW_CHARS_MAX)}… (${value.length} characters)` : value;
}

/** Integer.parseInt / Long.parseLong: digits with an optional sign within the Java type's range. */
function parseInteger(name: string, text: string, kind: 'int' | 'long'): number {
  if (!INTEGER_TEXT.test(text)) throw new HeaderFieldError(`the custom field <${name}> is not a number: ${preview(text)}`);
  const digits = text.length - (text[0] === '+' || text[0] === '-' ? 1 : 0);
  if (kind === 'long' && digits <= SAFE_DIGITS_MAX) return Number(text) || 0; // || 0: "-0" reads as 0
  const big = BigInt(text);
  const [min, max] = kind === 'int' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
  if (big < min || big > max) throw new HeaderFieldError(`the custom field <${name}> is out of the ${kind} range: ${preview(text)}`);
  return Number(big);
}

/** An own text value of the map (a key such as `toString` must not read Object.prototype's function). */
function own(fields: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** One field's value from its text as sent (undefined when absent), by the rules above. */
export function readFieldText(name: string, field: FieldSpec, text: string | undefined): unknown {
  let value: unknown;
  switch (field.kind) {
    case 'string':
      value = text === '' && field.presence === 'required' ? undefined : text;
      break;
    case 'int':
    case 'long':
      value = text === undefined || text === '' || text === 'null' ? undefined : parseInteger(name, text, field.kind);
      break;
    case 'boolean':
      value = text === undefined || text === '' ? undefined : text === 'true';
      break;
  }
  if (value !== undefined) return value;
  if (field.presence === 'required') throw new HeaderFieldError(`the custom field <${name}> is null`);
  return field.defaultValue;
}

export type FieldNames = 'long' | 'short';

export class HeaderSchema<F extends Fields> {
  readonly #entries: [string, FieldSpec][];

  /** `name` is RocketMQ's class name, for messages and docs. */
  constructor(readonly name: string, readonly fields: F) {
    this.#entries = Object.entries(fields);
  }

  /** Reads a header from extFields; with `short`, fields may come under their short names (never under both). */
  decode(extFields: Readonly<Record<string, string>> | undefined, names: FieldNames = 'long'): Decoded<F> {
    const ext = extFields ?? {};
    const header: Record<string, unknown> = {};
    for (const [name, field] of this.#entries) {
      let text = own(ext, name);
      if (names === 'short' && field.short !== undefined) {
        const shortText = own(ext, field.short);
        if (shortText !== undefined) {
          if (text !== undefined) throw new HeaderFieldConflictError(name, field.short);
          text = shortText;
        }
      }
      header[name] = readFieldText(name, field, text);
    }
    return header as Decoded<F>;
  }

  /** The extFields of a header, in the schema's order; absent fields are left out. */
  encode(header: EncodeInput<F>, names: FieldNames = 'long'): Record<string, string> {
    const ext: Record<string, string> = {};
    const values = header as Record<string, unknown>;
    for (const [name, field] of this.#entries) {
      const value = values[name];
      if (value === undefined || value === null) continue;
      ext[names === 'short' && field.short !== undefined ? field.short : name] = String(value);
    }
    return ext;
  }
}

export function defineHeader<F extends Fields>(name: string, fields: F): HeaderSchema<F> {
  return new HeaderSchema(name, fields);
}
