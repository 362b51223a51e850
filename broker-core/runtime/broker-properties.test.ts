/**
 * broker.properties as RocketMQ operators write them: every key the scale-out guide names becomes the broker
 * setting of the same name, java.util.Properties syntax is honoured, wrong values name their line, and a file
 * asking for replication is refused.
 */
import { describe, expect, it } from 'vitest';
import { brokerConfigFromProperties, PropertiesError } from './broker-properties';

describe('brokerConfigFromProperties', () => {
  it('reads the keys of RocketMQ conf/2m-noslave/broker-a.properties and the store and flush settings', () => {
    const { config, ignored } = brokerConfigFromProperties([
      'brokerClusterName=DefaultCluster',
      'brokerName=broker-a',
      'brokerId=0',
      'deleteWhen=04',
      'fileReservedTime=48',
      'brokerRole=ASYNC_MASTER',
      'flushDiskType=SYNC_FLUSH',
      'listenPort=10921',
      'brokerIP1=10.0.0.5',
      'namesrvAddr=10.0.0.1:9876;10.0.0.2:9876',
      'storePathRootDir=/data/rocketmq/store',
      'autoCreateTopicEnable=false',
      'autoCreateSubscriptionGroup=false',
      'defaultTopicQueueNums=16',
      'maxMessageSize=1048576',
      'registerNameServerPeriod=20000',
      'diskMaxUsedSpaceRatio=85',
      'storePathCommitLog=/data/rocketmq/store/commitlog',
      'brokerIP2=10.0.0.5',
    ].join('\n'));
    expect(config).toEqual({
      brokerClusterName: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerId: 0,
      deleteWhen: '04',
      fileReservedTime: 48,
      flushDiskType: 'SYNC_FLUSH',
      listenPort: 10921,
      brokerIP1: '10.0.0.5',
      namesrvAddr: ['10.0.0.1:9876', '10.0.0.2:9876'],
      storePathRootDir: '/data/rocketmq/store',
      autoCreateTopicEnable: false,
      autoCreateSubscriptionGroup: false,
      defaultTopicQueueNums: 16,
      maxMessageSizeBytes: 1048576,
      registerNameServerPeriodMs: 20000,
      diskMaxUsedSpaceRatio: 85,
    });
    expect(ignored).toEqual(['storePathCommitLog', 'brokerIP2']);
  });

  it('honours java.util.Properties syntax: spaces, colons, continuations, escapes; values are trimmed', () => {
    const { config } = brokerConfigFromProperties([
      'brokerName : broker-b   ',
      'listenPort 10911',
      'namesrvAddr=10.0.0.1:9876;\\',
      '    10.0.0.2:9876',
      'storePathRootDir=D:\\\\rocketmq\\\\store',
    ].join('\r\n'));
    expect(config).toEqual({ brokerName: 'broker-b', listenPort: 10911, namesrvAddr: ['10.0.0.1:9876', '10.0.0.2:9876'], storePathRootDir: 'D:\\rocketmq\\store' });
  });

  it('names the line of a wrong value', () => {
    const error = (text: string) => {
      try {
        brokerConfigFromProperties(text, 'conf/broker.properties');
      } catch (err) {
        expect(err).toBeInstanceOf(PropertiesError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(error('# c\nbrokerName=a\nlistenPort=ten')).toBe('conf/broker.properties line 3: listenPort must be a whole number (got "ten")');
    expect(error('autoCreateTopicEnable=yes')).toBe('conf/broker.properties line 1: autoCreateTopicEnable must be true or false (got "yes")');
    expect(error('flushDiskType=ASYNC')).toBe('conf/broker.properties line 1: flushDiskType must be ASYNC_FLUSH or SYNC_FLUSH (got "ASYNC")');
    expect(error('listenPort=70000')).toBe('conf/broker.properties: listenPort 70000 is not a port');
    expect(error('brokerRole=MASTER')).toBe('conf/broker.properties line 1: brokerRole must be ASYNC_MASTER, SYNC_MASTER or SLAVE (got "MASTER")');
  });

  it('refuses slaves and DLedger, pointing at Apache RocketMQ brokers; SYNC_MASTER is listed as not used', () => {
    expect(() => brokerConfigFromProperties('brokerRole=SLAVE')).toThrow(/line 1: brokerRole=SLAVE is not supported\. Rocketdeck brokers do not replicate; for master\/slave or DLedger run Apache RocketMQ brokers/);
    expect(() => brokerConfigFromProperties('brokerName=a\nbrokerId=1')).toThrow(/line 2: brokerId=1 makes a slave/);
    expect(() => brokerConfigFromProperties('enableDLegerCommitLog=true\ndLegerGroup=RaftNode00')).toThrow(/enableDLegerCommitLog=true is not supported/);
    expect(brokerConfigFromProperties('brokerRole=SYNC_MASTER\nenableDLegerCommitLog=false')).toEqual({ config: {}, ignored: ['brokerRole'] });
  });
});

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
