import { describe, expect, it } from 'vitest';
import { decodeFrame, createRequest } from '../protocol/remoting-command';
import { listFixtures, readFixture } from '../testing/fixtures';
import { AclField, calSignature, signedContent, signRequest, signaturesEqual, UNIQUE_MSG_QUERY_FLAG } from './acl-signer';

/** The keys the capture used: mqadmin's tools.yml account rocketmq2/12345678, and ali-ons' fakeAK/fakeSK. */
const SECRETS: Record<string, string> = { rocketmq2: '12345678', fakeAK: 'fakeSK' };

describe('RocketMQ ACL signatures', () => {
  it('match vectors computed independently (openssl dgst -sha1 -hmac over the sorted values and the body)', () => {
    // AccessKey < b < topic (Java String order): "rocketmq2" + "x" + "TopicTest" + body "hello"
    const content = signedContent({ topic: 'TopicTest', AccessKey: 'rocketmq2', b: 'x', Signature: 'ignored' }, Buffer.from('hello'));
    expect(Buffer.concat(content).toString()).toBe('rocketmq2xTopicTesthello');
    expect(calSignature(content, '12345678')).toBe('ndxt8QSFhaHooc6BlnoIQx204uM=');
    // a secret outside ASCII is keyed as UTF-8; a JSON body is appended as bytes
    const heartbeat = signedContent({ OnsChannel: 'ALIYUN', AccessKey: 'AK_alice1' }, Buffer.from('{"clientID":"c1"}'));
    expect(calSignature(heartbeat, 'sk-Überraschung')).toBe('0Pulbg9Ue1W5SlZgRkLalwN3ZkA=');
  });

  const signed = listFixtures((name) => name.endsWith('.request.hex')).filter((name) => readFixture(name).comments.header?.includes('"Signature"'));

  it('finds the signed requests captured from mqadmin 4.9.4 and ali-ons 3.12.0', () => {
    expect(signed.filter((n) => n.startsWith('c-mqadmin')).length).toBeGreaterThan(10);
    expect(signed.filter((n) => n.startsWith('d2-ali-ons')).length).toBeGreaterThan(10);
  });

  it.each(signed)('verifies the signature of %s as decoded by our codec', (name) => {
    const request = decodeFrame(readFixture(name).frame);
    const ext = request.extFields!;
    const secret = SECRETS[ext[AclField.ACCESS_KEY]!];
    expect(secret).toBeDefined();
    // The 4.9 Java client signs _UNIQUE_KEY_QUERY too; the 4.9 broker leaves it out (so it refuses these).
    expect(calSignature(signedContent(ext, request.body), secret!)).toBe(ext[AclField.SIGNATURE]);
    if (UNIQUE_MSG_QUERY_FLAG in ext) expect(calSignature(signedContent(ext, request.body, [UNIQUE_MSG_QUERY_FLAG]), secret!)).not.toBe(ext[AclField.SIGNATURE]);
  });

  it('signRequest adds AccessKey, SecurityToken and Signature, leaves _UNIQUE_KEY_QUERY out, and keeps the input as it was', () => {
    const request = createRequest(12, { topic: 'T', key: 'K', [UNIQUE_MSG_QUERY_FLAG]: 'true' }, Buffer.from('b'));
    const out = signRequest(request, { accessKey: 'alice_ak', secretKey: 'alice_secret', securityToken: 'tok' });
    expect(request.extFields).toEqual({ topic: 'T', key: 'K', [UNIQUE_MSG_QUERY_FLAG]: 'true' });
    expect(out.extFields).toMatchObject({ AccessKey: 'alice_ak', SecurityToken: 'tok', topic: 'T' });
    // sorted: AccessKey, SecurityToken, key, topic (+ body)
    expect(out.extFields!.Signature).toBe(calSignature(Buffer.from('alice_aktokKTb'), 'alice_secret'));
    // signing again replaces the signature instead of signing the old one
    expect(signRequest(out, { accessKey: 'alice_ak', secretKey: 'alice_secret', securityToken: 'tok' }).extFields!.Signature).toBe(out.extFields!.Signature);
  });

  it('compares signatures exactly', () => {
    expect(signaturesEqual('abc=', 'abc=')).toBe(true);
    expect(signaturesEqual('abc=', 'abd=')).toBe(false);
    expect(signaturesEqual('abc=', 'abc')).toBe(false);
    expect(signaturesEqual('abc=', undefined)).toBe(false);
  });
});
