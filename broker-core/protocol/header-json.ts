/**
 * JSON header (serialize type 0), as the Java side writes it with fastjson: keys in alphabetical order
 *   {"code":..,"extFields":{..},"flag":..,"language":"JAVA","opaque":..,"remark":"..","serializeTypeCurrentRPC":"JSON","version":..}
 * extFields keeps insertion order; remark and extFields are omitted when absent.
 * On input, ali-ons sends another key order, no serializeTypeCurrentRPC, and typed extFields values.
 */
import { ProtocolDecodeError } from '../util/errors';
import type { RemotingCommand } from './remoting-command';

export function encodeJsonHeader(command: RemotingCommand): Buffer {
  let text = `{"code":${command.code | 0}`;
  if (command.extFields !== undefined) text += `,"extFields":${JSON.stringify(command.extFields)}`;
  text += `,"flag":${command.flag | 0},"language":${JSON.stringify(command.language)},"opaque":${command.opaque | 0}`;
  if (command.remark !== undefined) text += `,"remark":${JSON.stringify(command.remark)}`;
  text += `,"serializeTypeCurrentRPC":"JSON","version":${command.version | 0}}`;
  return Buffer.from(text, 'utf8');
}

function asInt(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw new ProtocolDecodeError(`header field "${field}" is not an integer`);
}

export function decodeJsonHeader(header: Buffer): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch (err) {
    throw new ProtocolDecodeError('header is not valid JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolDecodeError('header is not a JSON object');
  }
  const raw = parsed as Record<string, unknown>;
  const command: RemotingCommand = {
    code: asInt(raw.code, 'code'),
    language: typeof raw.language === 'string' ? raw.language : 'OTHER',
    version: raw.version === undefined ? 0 : asInt(raw.version, 'version'),
    opaque: raw.opaque === undefined ? 0 : asInt(raw.opaque, 'opaque'),
    flag: raw.flag === undefined ? 0 : asInt(raw.flag, 'flag'),
  };
  if (typeof raw.remark === 'string') command.remark = raw.remark;
  if (raw.extFields !== undefined && raw.extFields !== null) {
    if (typeof raw.extFields !== 'object' || Array.isArray(raw.extFields)) {
      throw new ProtocolDecodeError('header field "extFields" is not an object');
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.extFields as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      fields[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    command.extFields = fields;
  }
  return command;
}
