/**
 * ROCKETMQ binary header (serialize type 1, RocketMQSerializable.java), big-endian:
 *   int16 code | int8 language | int16 version | int32 opaque | int32 flag
 *   int32 remarkLength + UTF-8 remark (0 = absent)
 *   int32 extFieldsLength (total bytes) + repeated { int16 keyLength + key, int32 valueLength + value }
 */
import { ProtocolDecodeError } from '../util/errors';
import { languageByte, languageName } from './language-code';
import type { RemotingCommand } from './remoting-command';

export function encodeBinaryHeader(command: RemotingCommand): Buffer {
  const remark = command.remark === undefined ? null : Buffer.from(command.remark, 'utf8');
  const entries: [Buffer, Buffer][] = [];
  let extBytes = 0;
  for (const [key, value] of Object.entries(command.extFields ?? {})) {
    const keyBytes = Buffer.from(key, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    entries.push([keyBytes, valueBytes]);
    extBytes += 2 + keyBytes.length + 4 + valueBytes.length;
  }
  const header = Buffer.allocUnsafe(13 + 4 + (remark?.length ?? 0) + 4 + extBytes);
  let at = header.writeInt16BE(command.code, 0);
  at = header.writeInt8(languageByte(command.language), at);
  at = header.writeInt16BE(command.version, at);
  at = header.writeInt32BE(command.opaque | 0, at);
  at = header.writeInt32BE(command.flag | 0, at);
  at = header.writeInt32BE(remark?.length ?? 0, at);
  if (remark) at += remark.copy(header, at);
  at = header.writeInt32BE(extBytes, at);
  for (const [keyBytes, valueBytes] of entries) {
    at = header.writeInt16BE(keyBytes.length, at);
    at += keyBytes.copy(header, at);
    at = header.writeInt32BE(valueBytes.length, at);
    at += valueBytes.copy(header, at);
  }
  return header;
}

export function decodeBinaryHeader(header: Buffer): RemotingCommand {
  const need = (at: number, bytes: number, what: string) => {
    if (at + bytes > header.length) throw new ProtocolDecodeError(`binary header truncated while reading ${what}`);
  };
  need(0, 17, 'the fixed fields');
  const command: RemotingCommand = {
    code: header.readInt16BE(0),
    language: languageName(header.readInt8(2)),
    version: header.readInt16BE(3),
    opaque: header.readInt32BE(5),
    flag: header.readInt32BE(9),
  };
  let at = 13;
  const remarkLength = header.readInt32BE(at);
  at += 4;
  if (remarkLength < 0) throw new ProtocolDecodeError(`negative remark length ${remarkLength}`);
  if (remarkLength > 0) {
    need(at, remarkLength, 'the remark');
    command.remark = header.toString('utf8', at, at + remarkLength);
    at += remarkLength;
  }
  need(at, 4, 'the extFields length');
  const extLength = header.readInt32BE(at);
  at += 4;
  if (extLength < 0) throw new ProtocolDecodeError(`negative extFields length ${extLength}`);
  if (extLength > 0) {
    need(at, extLength, 'the extFields');
    const end = at + extLength;
    const fields: Record<string, string> = {};
    while (at < end) {
      need(at, 2, 'an extFields key length');
      const keyLength = header.readInt16BE(at);
      at += 2;
      if (keyLength < 0 || at + keyLength > end) throw new ProtocolDecodeError(`bad extFields key length ${keyLength}`);
      const key = header.toString('utf8', at, at + keyLength);
      at += keyLength;
      need(at, 4, 'an extFields value length');
      const valueLength = header.readInt32BE(at);
      at += 4;
      if (valueLength < 0 || at + valueLength > end) throw new ProtocolDecodeError(`bad extFields value length ${valueLength}`);
      fields[key] = header.toString('utf8', at, at + valueLength);
      at += valueLength;
    }
    command.extFields = fields;
  }
  return command;
}
