/** Reading request extFields; a missing or malformed field raises HeaderFieldError, answered as SYSTEM_ERROR with a remark (as RocketMQ answers a header it cannot decode). */
import type { RemotingCommand } from '../../protocol/remoting-command';
import { BrokerError } from '../../util/errors';

export class HeaderFieldError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'HeaderFieldError';
  }
}

const INTEGER_TEXT = /^[+-]?\d{1,20}$/;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** Field values quoted in remarks are cut: a hostile 60 KB value need not come back in the answer. */
const PREVIEW_CHARS_MAX = 64;

function preview(value: string): string {
  return value.length > PREVIEW_CHARS_MAX ? `${value.slice(0, PREVIEW_CHARS_MAX)}… (${value.length} characters)` : value;
}

export class Header {
  constructor(private readonly request: RemotingCommand) {}

  optString(name: string): string | undefined {
    const value = this.request.extFields?.[name];
    return value === undefined || value === null ? undefined : String(value);
  }

  string(name: string): string {
    const value = this.optString(name);
    if (value === undefined || value === '') throw new HeaderFieldError(`the custom field <${name}> is null`);
    return value;
  }

  /**
   * Integer fields are parsed the way RocketMQ's header decoding does (Integer.parseInt / Long.parseLong): digits
   * with an optional sign, within the Java type's range; anything else is a HeaderFieldError (SYSTEM_ERROR).
   * Absent, empty and "null" read as absent.
   */
  #integer(name: string, min: bigint, max: bigint, kind: 'int' | 'long'): number | undefined {
    const value = this.optString(name);
    if (value === undefined || value === '' || value === 'null') return undefined;
    if (!INTEGER_TEXT.test(value)) throw new HeaderFieldError(`the custom field <${name}> is not a number: ${preview(value)}`);
    const big = BigInt(value);
    if (big < min || big > max) throw new HeaderFieldError(`the custom field <${name}> is out of the ${kind} range: ${preview(value)}`);
    return Number(big);
  }

  /** A Java long field (offsets, timestamps). */
  optNumber(name: string): number | undefined {
    return this.#integer(name, LONG_MIN, LONG_MAX, 'long');
  }

  number(name: string): number {
    const n = this.optNumber(name);
    if (n === undefined) throw new HeaderFieldError(`the custom field <${name}> is null`);
    return n;
  }

  /** A Java int field (queue ids, flags, counts). */
  optInt(name: string): number | undefined {
    return this.#integer(name, INT_MIN, INT_MAX, 'int');
  }

  int(name: string): number {
    const n = this.optInt(name);
    if (n === undefined) throw new HeaderFieldError(`the custom field <${name}> is null`);
    return n;
  }

  optBoolean(name: string): boolean | undefined {
    const value = this.optString(name);
    if (value === undefined || value === '') return undefined;
    return value === 'true';
  }
}

/** SEND_MESSAGE_V2 short names → SEND_MESSAGE names. */
export const SEND_V2_FIELDS: Record<string, string> = {
  a: 'producerGroup',
  b: 'topic',
  c: 'defaultTopic',
  d: 'defaultTopicQueueNums',
  e: 'queueId',
  f: 'sysFlag',
  g: 'bornTimestamp',
  h: 'flag',
  i: 'properties',
  j: 'reconsumeTimes',
  k: 'unitMode',
  l: 'maxReconsumeTimes',
  m: 'batch',
  n: 'brokerName',
};

export function sendHeaderFromV2(request: RemotingCommand): RemotingCommand {
  const fields: Record<string, string> = {};
  const v2 = request.extFields ?? {};
  for (const key in v2) fields[Object.hasOwn(SEND_V2_FIELDS, key) ? SEND_V2_FIELDS[key]! : key] = v2[key]!;
  return { ...request, extFields: fields };
}
