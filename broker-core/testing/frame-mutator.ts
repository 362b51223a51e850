/**
 * Mutated remoting frames for fuzzing, grown from real captured frames (broker-core/protocol/__fixtures__).
 * Deterministic for a seed (mulberry32), so a failing run can be replayed.
 *
 * Three families:
 *  - `valid`: a header that decodes, so the request reaches its processor: random and hostile extFields (JSON
 *    or ROCKETMQ binary), swapped and unknown request codes, mutated, foreign or hostile bodies.
 *  - `corrupt`: the length prefix is true but the header is not: JSON garbage (wrong types, arrays, deep
 *    nesting, cut text), ROCKETMQ binary header garbage (lying remark / extFields lengths), lying header
 *    lengths and serialize types, bit flips in the header. The server must close that one connection.
 *  - `breaking`: framing itself is broken (bit flips anywhere, truncation, a lying or huge length field).
 * Corrupt and breaking frames end a connection, so they go last on it.
 */
import zlib from 'node:zlib';
import { parseJavaJson } from '../protocol/fastjson';
import { decodeFrame, encodeFrame, SerializeType, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';

export type Random = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

const REQUEST_CODES: readonly number[] = Object.values(RequestCode);

/** Values that break parsers: numbers at and past every width, empties, nulls, unicode junk, long runs. */
function hostileString(random: Random): string {
  // Rarely a long one: past the 32 KiB properties limit and the 255-character name limits.
  if (random() < 0.01) return 'x'.repeat(32_000 + int(random, 40_000));
  const choices: (() => string)[] = [
    () => '',
    () => 'null',
    () => 'undefined',
    () => '-1',
    () => '0',
    () => String(2 ** 31),
    () => String(-(2 ** 31) - 1),
    () => '9223372036854775807',
    () => '9223372036854775808',
    () => '-9223372036854775809',
    () => '1e309',
    () => 'NaN',
    () => 'Infinity',
    () => '0x7fffffff',
    () => '3.5',
    () => 'true',
    () => '%RETRY%',
    () => '%DLQ%x',
    () => 'TBW102',
    () => 'SCHEDULE_TOPIC_XXXX',
    () => 'RMQ_SYS_TRANS_HALF_TOPIC',
    () => '\u0000\u0001\u0002',
    () => '\ud800',
    () => '💥'.repeat(1 + int(random, 40)),
    () => 'é\u202e\ufeff\u0301',
    () => '../../../etc/passwd',
    () => 'a'.repeat(1 + int(random, 300)),
    () => '{"a":[1,2,{"b":null}]}',
    () => '[' .repeat(200),
    () => 'TAGS\u0001a\u0002KEYS\u0001k\u0002DELAY\u000199\u0002',
    () => Buffer.from(Array.from({ length: int(random, 64) }, () => int(random, 256))).toString('latin1'),
  ];
  return pick(random, choices)();
}

function hostileValue(random: Random): unknown {
  switch (int(random, 8)) {
    case 0: return int(random, 2 ** 31) * (random() < 0.5 ? -1 : 1);
    case 1: return random() < 0.5;
    case 2: return null;
    case 3: return [hostileString(random)];
    case 4: return { nested: hostileString(random) };
    case 5: return 1.5e308 * 10;
    default: return hostileString(random);
  }
}

export interface FrameMutator {
  /** A frame with a decodable header: it reaches a processor. */
  valid(): Buffer;
  /** A true length prefix around an undecodable header (the server closes the connection). */
  corrupt(): Buffer;
  /** A frame that breaks the framing (the server closes the connection). */
  breaking(): Buffer;
}

type Json = unknown;

/** Every path (list of keys) into a parsed JSON value, down to `depthMax`. */
function jsonPaths(value: Json, depthMax = 6, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (prefix.length >= depthMax || typeof value !== 'object' || value === null) return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) jsonPaths(item, depthMax, [...prefix, key], out);
  return out;
}

function replaceAt(root: Json, at: (string | number)[], replacement: unknown): Json {
  if (at.length === 0) return replacement;
  if (typeof root !== 'object' || root === null) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) break; // an earlier swap changed the shape: replace here
    node = next as Record<string | number, unknown>;
  }
  node[at[at.length - 1]!] = replacement;
  return copy;
}

export function createFrameMutator(seeds: Buffer[], random: Random): FrameMutator {
  const commands = seeds.map((frame) => decodeFrame(frame));
  /** Seeds whose bodies are JSON (heartbeats, registrations, lock sets, offset tables ...), parsed once. */
  const jsonBodies = commands.flatMap((command) => {
    if (!command.body || command.body.length === 0 || command.body[0] !== 0x7b) return [];
    try {
      const parsed = parseJavaJson(command.body.toString('utf8'));
      return [{ command, parsed, paths: jsonPaths(parsed) }];
    } catch {
      return [];
    }
  });

  /** Encodes; what the binary header cannot carry (a code or version past int16) falls back to JSON. */
  const encode = (command: RemotingCommand): Buffer => {
    try {
      return encodeFrame(command);
    } catch {
      return encodeFrame({ ...command, serializeType: SerializeType.JSON, body: undefined });
    }
  };

  const withHeader = (header: Buffer, body: Buffer, serializeType: number): Buffer => {
    const frame = Buffer.allocUnsafe(8 + header.length + body.length);
    frame.writeInt32BE(frame.length - 4, 0);
    frame.writeUInt32BE(((serializeType << 24) | (header.length & 0xffffff)) >>> 0, 4);
    header.copy(frame, 8);
    body.copy(frame, 8 + header.length);
    return frame;
  };

  const randomBytes = (length: number) => Buffer.from(Array.from({ length }, () => int(random, 256)));

  const baseCommand = (): RemotingCommand => {
    const seed = pick(random, commands);
    return { ...seed, flag: seed.flag & ~1, extFields: seed.extFields ? { ...seed.extFields } : undefined };
  };

  const validMutations: (() => Buffer)[] = [
    // random extFields: change, add or remove fields, hostile values
    () => {
      const command = baseCommand();
      const fields = command.extFields ?? {};
      const keys = Object.keys(fields);
      for (let i = 0, n = 1 + int(random, 4); i < n; i++) {
        const choice = int(random, 3);
        if (choice === 0 && keys.length > 0) fields[pick(random, keys)] = hostileString(random);
        else if (choice === 1 && keys.length > 0) delete fields[pick(random, keys)];
        else fields[random() < 0.5 ? hostileString(random).slice(0, 40) || 'k' : pick(random, keys.length ? keys : ['topic'])] = hostileString(random);
      }
      command.extFields = fields;
      command.serializeType = random() < 0.3 ? SerializeType.ROCKETMQ : SerializeType.JSON;
      return encode(command);
    },
    // the same header under another request code (every processor sees foreign headers)
    () => {
      const command = baseCommand();
      command.code = pick(random, REQUEST_CODES);
      return encode(command);
    },
    // a random (or out of range) code
    () => {
      const command = baseCommand();
      command.code = int(random, 70_000) - 2_000;
      return encode(command);
    },
    // JSON bodies with one value swapped for a hostile one at a random path (type confusion where parsers look);
    // a bodyCrc32 field is recomputed so that a registration reaches its parser
    () => {
      if (jsonBodies.length === 0) return encode(baseCommand());
      const { command: seed, parsed, paths } = pick(random, jsonBodies);
      const command: RemotingCommand = { ...seed, flag: seed.flag & ~1, extFields: seed.extFields ? { ...seed.extFields } : undefined };
      let value = parsed;
      for (let i = 0, n = 1 + int(random, 3); i < n; i++) value = replaceAt(value, pick(random, paths), hostileValue(random));
      command.body = Buffer.from(JSON.stringify(value) ?? 'null');
      if (command.extFields?.bodyCrc32 !== undefined) command.extFields.bodyCrc32 = String(zlib.crc32(command.body) & 0x7fffffff);
      return encode(command);
    },
    // bodies: random bytes, a mutated seed body, another request's body, hostile JSON
    () => {
      const command = baseCommand();
      const other = pick(random, commands);
      const choice = int(random, 4);
      if (choice === 0) command.body = randomBytes(int(random, 4096));
      else if (choice === 1 && command.body) {
        const body = Buffer.from(command.body);
        for (let i = 0, n = 1 + int(random, 6); i < n && body.length > 0; i++) body[int(random, body.length)] = int(random, 256);
        command.body = random() < 0.3 ? body.subarray(0, int(random, body.length + 1)) : body;
      } else if (choice === 2) command.body = other.body ?? randomBytes(32);
      else command.body = Buffer.from(JSON.stringify({ heartbeat: hostileValue(random), consumerDataSet: [hostileValue(random)], topicConfigSerializeWrapper: hostileValue(random), mqSet: hostileValue(random), offsetTable: hostileValue(random) }));
      return encode(command);
    },
  ];

  const corruptMutations: (() => Buffer)[] = [
    // JSON header garbage: wrong types, arrays, deep nesting, truncated text
    () => {
      const seed = pick(random, commands);
      const variants: (() => string)[] = [
        () => JSON.stringify({ code: hostileValue(random), flag: 0, opaque: int(random, 1000), extFields: hostileValue(random) }),
        () => JSON.stringify({ code: seed.code, flag: hostileValue(random), opaque: hostileValue(random), version: hostileValue(random), language: hostileValue(random), remark: hostileValue(random) }),
        () => JSON.stringify([seed.code, seed.extFields]),
        () => '{"code":' + '['.repeat(5000),
        () => JSON.stringify({ code: seed.code, extFields: Object.fromEntries(Array.from({ length: 1 + int(random, 2000) }, (_, i) => [`k${i}`, hostileValue(random)])) }),
        () => JSON.stringify({ code: seed.code, extFields: seed.extFields, constructor: { prototype: { x: 1 } } }),
        () => `{"code":${seed.code},"extFields":{"__proto__":{"topic":"x"},"constructor":"y"},"flag":0}`,
        () => JSON.stringify(seed).slice(0, int(random, 200)),
        () => hostileString(random),
        () => JSON.stringify({ code: seed.code, extFields: seed.extFields }).replace(/"/g, () => (random() < 0.05 ? "'" : '"')),
      ];
      const body = seed.body && random() < 0.5 ? seed.body : Buffer.alloc(0);
      return withHeader(Buffer.from(pick(random, variants)(), 'utf8'), body, SerializeType.JSON);
    },
    // ROCKETMQ binary header garbage: random bytes, lying remark / extFields lengths
    () => {
      const command = baseCommand();
      command.serializeType = SerializeType.ROCKETMQ;
      const good = encodeFrame(command);
      const headerLength = good.readUInt32BE(4) & 0xffffff;
      const header = Buffer.from(good.subarray(8, 8 + headerLength));
      const choice = int(random, 4);
      if (choice === 0) return withHeader(randomBytes(int(random, 64)), Buffer.alloc(0), SerializeType.ROCKETMQ);
      if (choice === 1 && header.length >= 17) header.writeInt32BE(pick(random, [-1, 0x7fffffff, header.length, int(random, 1 << 20)]), 13);
      else if (header.length >= 4) {
        const at = 13 + 4 + (command.remark ? Buffer.byteLength(command.remark) : 0);
        if (at + 4 <= header.length) header.writeInt32BE(pick(random, [-5, 0x7fffffff, header.length * 2, int(random, 4096)]), at);
      }
      for (let i = 0, n = int(random, 4); i < n; i++) header[int(random, header.length)] = int(random, 256);
      return withHeader(header, good.subarray(8 + headerLength), SerializeType.ROCKETMQ);
    },
    // header length lies inside a frame whose total length is true
    () => {
      const frame = Buffer.from(encode(baseCommand()));
      const word = frame.readUInt32BE(4);
      const serializeType = random() < 0.8 ? word >>> 24 : pick(random, [2, 7, 0x7f, 0xff]);
      const headerLength = pick(random, [0, 1, 0xffffff, frame.length, (word & 0xffffff) - 1, (word & 0xffffff) + 1, int(random, frame.length)]);
      frame.writeUInt32BE(((serializeType << 24) | (headerLength & 0xffffff)) >>> 0, 4);
      return frame;
    },
    // bit flips and byte stamps inside header and body, length prefix left true
    () => {
      const frame = Buffer.from(encode(baseCommand()));
      for (let i = 0, n = 1 + int(random, 8); i < n && frame.length > 8; i++) {
        const at = 8 + int(random, frame.length - 8);
        frame[at] = random() < 0.5 ? frame[at]! ^ (1 << int(random, 8)) : pick(random, [0, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x7d, 0x5c]);
      }
      return frame;
    },
  ];

  const breakingMutations: (() => Buffer)[] = [
    // bit flips anywhere, the length prefix included
    () => {
      const frame = Buffer.from(pick(random, seeds));
      for (let i = 0, n = 1 + int(random, 4); i < n; i++) {
        const at = random() < 0.5 ? int(random, Math.min(8, frame.length)) : int(random, frame.length);
        frame[at] = frame[at]! ^ (1 << int(random, 8));
      }
      return frame;
    },
    // truncation: the frame stops early (the connection then ends mid-frame)
    () => {
      const frame = pick(random, seeds);
      return frame.subarray(0, int(random, frame.length));
    },
    // length field lies: too small, negative, zero, a little or far too large, over the 16 MiB limit
    () => {
      const frame = Buffer.from(pick(random, seeds));
      const lie = pick(random, [-1, -(2 ** 31), 0, 1, 3, 4, frame.length - 5, frame.length + int(random, 100), 16 * 1024 * 1024 - 4, 16 * 1024 * 1024, 2 ** 31 - 1, int(random, 2 ** 31)]);
      frame.writeInt32BE(lie | 0, 0);
      return frame;
    },
    // random bytes from the first byte on
    () => randomBytes(1 + int(random, 256)),
  ];

  return {
    valid: () => pick(random, validMutations)(),
    corrupt: () => pick(random, corruptMutations)(),
    breaking: () => pick(random, breakingMutations)(),
  };
}
