import { describe, expect, it } from 'vitest';
import { formatJavaProperties, parseJavaProperties } from './java-properties';

describe('parseJavaProperties', () => {
  it('reads the broker.properties shipped with RocketMQ 4.9.4', () => {
    const text = [
      '# Licensed to the Apache Software Foundation (ASF) under one or more',
      'brokerClusterName = DefaultCluster',
      'brokerName = broker-a',
      'brokerId = 0',
      'deleteWhen = 04',
      'fileReservedTime = 48',
      'brokerRole = ASYNC_MASTER',
      'flushDiskType = ASYNC_FLUSH',
    ].join('\n');
    expect(Object.fromEntries(parseJavaProperties(text))).toEqual({
      brokerClusterName: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerId: '0',
      deleteWhen: '04',
      fileReservedTime: '48',
      brokerRole: 'ASYNC_MASTER',
      flushDiskType: 'ASYNC_FLUSH',
    });
  });

  it('handles the separators, comments, continuations and escapes java.util.Properties accepts', () => {
    const text = [
      '! bang comment',
      '   namesrvAddr:127.0.0.1:9876;\\',
      '      127.0.0.2:9876',
      'listenPort 10911',
      'storePathRootDir=/data/rocketmq\\\\store',
      'key\\ with\\ spaces = v',
      'unicode=\\u4e2d\\u6587',
      'empty=',
      'dup=1',
      'dup=2',
      '',
    ].join('\r\n');
    expect(Object.fromEntries(parseJavaProperties(text))).toEqual({
      namesrvAddr: '127.0.0.1:9876;127.0.0.2:9876',
      listenPort: '10911',
      storePathRootDir: '/data/rocketmq\\store',
      'key with spaces': 'v',
      unicode: '中文',
      empty: '',
      dup: '2',
    });
  });

  it('round-trips what formatJavaProperties writes for plain values', () => {
    const entries: [string, string][] = [
      ['brokerName', 'broker-a'],
      ['listenPort', '10911'],
    ];
    expect([...parseJavaProperties(formatJavaProperties(entries))]).toEqual(entries);
  });
});
