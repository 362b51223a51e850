/**
 * Goal: the envelope codec reads every frame real RocketMQ peers sent, and writes frames byte-for-byte like
 * the Java 4.9.4 side where its encoding is deterministic. Method: decode all captured fixtures, compare with
 * the header the capture tool recorded, re-encode and compare bytes; then malformed frames must give coded errors.
 */
import { describe, expect, it } from 'vitest';
import { fixtureHeader, listFixtures, readFixture } from '../testing/fixtures';
import { createRequest, createResponse, decodeFrame, encodeFrame, isOneway, isResponse, type RemotingCommand } from './remoting-command';
import { RequestCode } from './request-code';
import { ResponseCode } from './response-code';

const ALL = listFixtures();

describe('decodeFrame on captured frames', () => {
  it('has the fixtures', () => {
    expect(ALL.length).toBeGreaterThan(300);
  });

  it.each(ALL)('%s decodes to the header the capture recorded', (name) => {
    const fixture = readFixture(name);
    const command = decodeFrame(fixture.frame);
    const recorded = fixtureHeader(fixture);
    expect(command.code).toBe(recorded.code);
    expect(command.opaque).toBe(recorded.opaque);
    expect(command.flag).toBe(recorded.flag ?? 0);
    expect(command.version).toBe(recorded.version);
    expect(command.language).toBe(recorded.language);
    if (recorded.remark !== undefined) expect(command.remark).toBe(recorded.remark);
    const recordedFields = (recorded.extFields ?? undefined) as Record<string, unknown> | undefined;
    if (recordedFields === undefined) expect(command.extFields ?? {}).toEqual({});
    else expect(command.extFields).toEqual(Object.fromEntries(Object.entries(recordedFields).map(([k, v]) => [k, String(v)])));
    const serializeType = Number(/^(\d)/.exec(fixture.comments['serialize type'] ?? '0')![1]);
    expect(command.serializeType).toBe(serializeType);
    const bodyBytes = Number(/body length (\d+)/.exec(fixture.comments['serialize type'] ?? '')![1]);
    expect(command.body?.length ?? 0).toBe(bodyBytes);
  });

  it('decodes a Java SEND_MESSAGE_V2 request into a fully spelled-out command', () => {
    const command = decodeFrame(readFixture('a-quickstart.003.310-send-message-v2.request.hex').frame);
    expect({ ...command, body: command.body?.toString('utf8') }).toEqual({
      code: RequestCode.SEND_MESSAGE_V2,
      language: 'JAVA',
      version: 401,
      opaque: 6,
      flag: 0,
      serializeType: 0,
      extFields: {
        a: 'please_rename_unique_group_name',
        b: 'TopicTest',
        c: 'TBW102',
        d: '4',
        e: '0',
        f: '0',
        g: '1795480233555',
        h: '0',
        i: 'UNIQ_KEY\u0001FD00000000000000000000000000000266305FFD2B27768E3E520000\u0002WAIT\u0001true\u0002TAGS\u0001TagA',
        j: '0',
        k: 'false',
        m: 'false',
      },
      body: 'Hello RocketMQ 0',
    });
  });

  it('coerces the typed extFields values ali-ons sends into strings', () => {
    const command = decodeFrame(readFixture('d-ali-ons.002.310-send-message-v2.request.hex').frame);
    expect(command.version).toBe(121);
    expect(command.extFields).toMatchObject({ d: '4', e: '3', f: '1', g: '1795480372981', h: '0', j: '0', k: 'false' });
    expect(command.body?.length).toBeGreaterThan(0);
  });

  it('decodes a ROCKETMQ binary header', () => {
    const command = decodeFrame(readFixture('b-rocketmq-serialize.003.310-send-message-v2.request.hex').frame);
    expect(command.serializeType).toBe(1);
    expect(command.extFields?.b).toBe('TopicTest');
    expect(command.body?.toString()).toBe('Hello RocketMQ 0');
  });
});

describe('encodeFrame', () => {
  const isJavaJson = (name: string) => {
    const fixture = readFixture(name);
    return fixture.comments['serialize type']?.startsWith('0') && fixture.comments.header?.includes('"serializeTypeCurrentRPC"');
  };
  const javaJson = ALL.filter((name) => !name.startsWith('d') && isJavaJson(name));
  const binary = ALL.filter((name) => readFixture(name).comments['serialize type']?.startsWith('1'));

  it.each(javaJson)('re-encodes the Java JSON frame %s byte for byte', (name) => {
    const { frame } = readFixture(name);
    expect(encodeFrame(decodeFrame(frame)).equals(frame)).toBe(true);
  });

  it.each(binary)('re-encodes the ROCKETMQ binary frame %s byte for byte', (name) => {
    const { frame } = readFixture(name);
    expect(encodeFrame(decodeFrame(frame)).equals(frame)).toBe(true);
  });

  it('has byte-exact coverage of both serializations', () => {
    expect(javaJson.length).toBeGreaterThan(100);
    expect(binary.length).toBeGreaterThan(20);
  });

  it('answers a request with the same opaque, the response flag and the request serialize type', () => {
    const request = decodeFrame(readFixture('b-rocketmq-serialize.003.310-send-message-v2.request.hex').frame);
    const response = createResponse(request, ResponseCode.SUCCESS, undefined, { msgId: 'AB', queueId: 2, queueOffset: 7n, absent: undefined });
    expect(isResponse(response)).toBe(true);
    expect(isOneway(response)).toBe(false);
    const decoded = decodeFrame(encodeFrame(response));
    expect(decoded).toEqual({
      code: 0,
      language: 'JAVA',
      version: 401,
      opaque: request.opaque,
      flag: 1,
      serializeType: 1,
      extFields: { msgId: 'AB', queueId: '2', queueOffset: '7' },
    });
  });

  it('round-trips a request with a remark, a body and unicode', () => {
    const request: RemotingCommand = { ...createRequest(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', value: '中文' }, Buffer.from([0, 1, 2])), opaque: -5, remark: 'r\u0001' };
    const decoded = decodeFrame(encodeFrame(request));
    expect(decoded).toEqual({ ...request, serializeType: 0 });
  });
});

describe('decodeFrame on malformed frames', () => {
  const good = readFixture('a-quickstart.001.105-get-routeinfo-by-topic.request.hex').frame;
  const withHeaderWord = (word: number) => {
    const frame = Buffer.from(good);
    frame.writeUInt32BE(word >>> 0, 4);
    return frame;
  };

  it.each([
    ['a frame shorter than its prefix', Buffer.from([0, 0, 0]), 'BROKER_ERR_DECODE'],
    ['a truncated frame', good.subarray(0, good.length - 3), 'BROKER_ERR_DECODE'],
    ['a length field that disagrees', Buffer.concat([good, Buffer.from([1])]), 'BROKER_ERR_DECODE'],
    ['a header length larger than the frame', withHeaderWord(good.length), 'BROKER_ERR_BAD_HEADER_LENGTH'],
    ['an unknown serialize type', withHeaderWord((7 << 24) | (good.readUInt32BE(4) & 0xffffff)), 'BROKER_ERR_DECODE'],
    ['a JSON header that is not JSON', Buffer.from('0000000d0000000962616420686561646572', 'hex'), 'BROKER_ERR_DECODE'],
    ['a JSON header that is an array', Buffer.from('00000006000000025b5d', 'hex'), 'BROKER_ERR_DECODE'],
    ['a JSON header without a code', Buffer.from('000000060000000' + '27b7d', 'hex'), 'BROKER_ERR_DECODE'],
    ['a binary header cut short', Buffer.from('000000070100000300010a', 'hex'), 'BROKER_ERR_DECODE'],
  ])('rejects %s with a coded error', (_, frame, code) => {
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to encode a frame over the 16 MiB limit', () => {
    const huge = createRequest(RequestCode.SEND_MESSAGE, {}, Buffer.alloc(16 * 1024 * 1024));
    expect(() => encodeFrame(huge)).toThrow(expect.objectContaining({ code: 'BROKER_ERR_FRAME_TOO_LARGE' }));
  });
});
