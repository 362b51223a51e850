/**
 * The remoting envelope shared by every request and response (RemotingCommand.java).
 *
 * Frame on the wire (all integers big-endian):
 *   int32   frameLength = 4 + headerLength + bodyLength      (does not count itself)
 *   int32   headerWord  = serializeType << 24 | headerLength  (0 = JSON, 1 = ROCKETMQ binary)
 *   byte[headerLength]  header (see header-json.ts / header-binary.ts)
 *   byte[]              body (the rest; may be empty)
 */
import { BadHeaderLengthError, FrameTooLargeError, ProtocolDecodeError } from '../util/errors';
import { FRAME_BYTES_MAX } from '../config/limits';
import { OUR_LANGUAGE, OUR_VERSION } from './language-code';
import { decodeJsonHeader, encodeJsonHeader } from './header-json';
import { decodeBinaryHeader, encodeBinaryHeader } from './header-binary';

export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType];

export const RPC_TYPE_RESPONSE = 0x1;
export const RPC_TYPE_ONEWAY = 0x2;

export interface RemotingCommand {
  /** Request code, or response code when flag bit 0 is set. */
  code: number;
  language: string;
  version: number;
  /** Request id; a response echoes it. */
  opaque: number;
  /** Bit 0 = response, bit 1 = oneway. */
  flag: number;
  remark?: string;
  /** The typed custom header, as strings (numbers and booleans sent by ali-ons are coerced on decode). */
  extFields?: Record<string, string>;
  body?: Buffer;
  /** How the header arrived, and how it is encoded (default JSON). */
  serializeType?: SerializeTypeValue;
}

export type ExtFieldsInput = Record<string, string | number | boolean | bigint | undefined | null>;

export function toExtFields(input: ExtFieldsInput | undefined): Record<string, string> | undefined {
  if (input === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    fields[key] = String(value);
  }
  return fields;
}

export function createRequest(code: number, extFields?: ExtFieldsInput, body?: Buffer): RemotingCommand {
  const command: RemotingCommand = { code, language: OUR_LANGUAGE, version: OUR_VERSION, opaque: 0, flag: 0 };
  const fields = toExtFields(extFields);
  if (fields !== undefined) command.extFields = fields;
  if (body !== undefined) command.body = body;
  return command;
}

export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields?: ExtFieldsInput,
  body?: Buffer,
): RemotingCommand {
  const command: RemotingCommand = {
    code,
    language: OUR_LANGUAGE,
    version: OUR_VERSION,
    opaque: request.opaque,
    flag: RPC_TYPE_RESPONSE,
    serializeType: request.serializeType ?? SerializeType.JSON,
  };
  if (remark !== undefined) command.remark = remark;
  const fields = toExtFields(extFields);
  if (fields !== undefined) command.extFields = fields;
  if (body !== undefined) command.body = body;
  return command;
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & RPC_TYPE_RESPONSE) === RPC_TYPE_RESPONSE;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & RPC_TYPE_ONEWAY) === RPC_TYPE_ONEWAY;
}

/** Encodes a whole frame, length prefix included. */
export function encodeFrame(command: RemotingCommand): Buffer {
  const serializeType = command.serializeType ?? SerializeType.JSON;
  const header = serializeType === SerializeType.ROCKETMQ ? encodeBinaryHeader(command) : encodeJsonHeader(command);
  const bodyBytes = command.body?.length ?? 0;
  const frameBytes = 8 + header.length + bodyBytes;
  if (frameBytes > FRAME_BYTES_MAX) throw new FrameTooLargeError(frameBytes, FRAME_BYTES_MAX);
  const frame = Buffer.allocUnsafe(frameBytes);
  frame.writeInt32BE(frameBytes - 4, 0);
  frame.writeUInt32BE(((serializeType << 24) | header.length) >>> 0, 4);
  header.copy(frame, 8);
  if (bodyBytes > 0) command.body!.copy(frame, 8 + header.length);
  return frame;
}

/** Decodes a whole frame, length prefix included. Throws coded errors for anything malformed. */
export function decodeFrame(frame: Buffer): RemotingCommand {
  if (frame.length < 8) throw new ProtocolDecodeError(`frame of ${frame.length} bytes is shorter than its 8-byte prefix`);
  const frameLength = frame.readInt32BE(0);
  if (frameLength !== frame.length - 4) {
    throw new ProtocolDecodeError(`frame length field ${frameLength} does not match the ${frame.length - 4} bytes present`);
  }
  const headerWord = frame.readUInt32BE(4);
  const serializeType = headerWord >>> 24;
  const headerLength = headerWord & 0xffffff;
  if (headerLength > frameLength - 4) throw new BadHeaderLengthError(headerLength, frameLength);
  const header = frame.subarray(8, 8 + headerLength);
  let command: RemotingCommand;
  if (serializeType === SerializeType.JSON) command = decodeJsonHeader(header);
  else if (serializeType === SerializeType.ROCKETMQ) command = decodeBinaryHeader(header);
  else throw new ProtocolDecodeError(`unknown serialize type ${serializeType}`);
  command.serializeType = serializeType;
  if (frame.length > 8 + headerLength) command.body = frame.subarray(8 + headerLength);
  return command;
}
