/** Reading request extFields; a missing or malformed field raises HeaderFieldError, answered as SYSTEM_ERROR with a remark. */
import type { RemotingCommand } from '../../protocol/remoting-command';
import { BrokerError } from '../../util/errors';

export class HeaderFieldError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'HeaderFieldError';
  }
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

  optNumber(name: string): number | undefined {
    const value = this.optString(name);
    if (value === undefined || value === '' || value === 'null') return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new HeaderFieldError(`the custom field <${name}> is not a number: ${value}`);
    return n;
  }

  number(name: string): number {
    const n = this.optNumber(name);
    if (n === undefined) throw new HeaderFieldError(`the custom field <${name}> is null`);
    return n;
  }

  int(name: string): number {
    const n = this.number(name);
    if (!Number.isInteger(n)) throw new HeaderFieldError(`the custom field <${name}> is not an integer: ${n}`);
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
  for (const [key, value] of Object.entries(request.extFields ?? {})) fields[SEND_V2_FIELDS[key] ?? key] = value;
  return { ...request, extFields: fields };
}
