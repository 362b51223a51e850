import { describe, expect, it } from 'vitest';
import { brokerConfigFromProperties, PropertiesError } from './broker-properties';

describe('broker.properties keys for reliability settings (RocketMQ names)', () => {
  it('reads flushConsumerOffsetInterval, flushIntervalCommitLog, serverChannelMaxIdleTimeSeconds, registerNameServerPeriod, mappedFileSizeCommitLog', () => {
    const { config, ignored } = brokerConfigFromProperties(
      ['flushConsumerOffsetInterval=500', 'flushIntervalCommitLog=200', 'serverChannelMaxIdleTimeSeconds=3', 'registerNameServerPeriod=10000', 'mappedFileSizeCommitLog=67108864'].join('\n'),
    );
    expect(config).toEqual({ offsetFlushIntervalMs: 500, flushIntervalCommitLog: 200, serverChannelMaxIdleTimeSeconds: 3, registerNameServerPeriodMs: 10_000, mappedFileSizeCommitLog: 67_108_864 });
    expect(ignored).toEqual([]);
  });

  it('names the line of a value that is not a number', () => {
    expect(() => brokerConfigFromProperties('brokerName=b\nserverChannelMaxIdleTimeSeconds=two minutes')).toThrow(PropertiesError);
    expect(() => brokerConfigFromProperties('brokerName=b\nserverChannelMaxIdleTimeSeconds=two minutes')).toThrow(/line 2: serverChannelMaxIdleTimeSeconds must be a whole number/);
  });
});
