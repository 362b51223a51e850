import { describe, expect, it } from 'vitest';
import { ConfigError, loadRuntimeConfig, parseNamesrvAddr } from './env-config';

describe('loadRuntimeConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const config = loadRuntimeConfig({}, '/srv/app');
    expect(config).toMatchObject({
      home: '/srv/app/data',
      namesrvPort: 9876,
      brokerPort: 10911,
      brokerFastPort: 10909,
      consolePort: 8899,
      consoleHost: '127.0.0.1',
      remoteNamesrvAddr: null,
      embedded: true,
      brokerName: 'broker-a',
      brokerClusterName: 'DefaultCluster',
      flushDiskType: 'ASYNC_FLUSH',
      autoCreateTopicEnable: true,
      aclEnable: false,
      aclFile: '/srv/app/data/conf/plain_acl.yml',
      consoleNamesrvAddr: ['127.0.0.1:9876'],
      grpc: { port: 8081, tls: null },
    });
  });

  it('reads the gRPC endpoint settings: a port, off, TLS files (both or neither)', () => {
    expect(loadRuntimeConfig({ GRPC_PORT: '45081' }, '/srv/app').grpc).toEqual({ port: 45081, tls: null });
    expect(loadRuntimeConfig({ GRPC_PORT: 'off' }, '/srv/app').grpc).toBeNull();
    expect(loadRuntimeConfig({ GRPC_TLS_CERT: 'tls/cert.pem', GRPC_TLS_KEY: '/etc/key.pem' }, '/srv/app').grpc).toEqual({
      port: 8081,
      tls: { certFile: '/srv/app/tls/cert.pem', keyFile: '/etc/key.pem' },
    });
  });

  it('reads every variable', () => {
    const config = loadRuntimeConfig(
      {
        ROCKETDECK_HOME: '/var/rd',
        NAMESRV_PORT: '19876',
        BROKER_PORT: '20911',
        BROKER_FAST_PORT: 'off',
        PORT: '18899',
        BROKER_IP1: '10.1.2.3',
        FLUSH_DISK_TYPE: 'sync_flush',
        AUTO_CREATE_TOPIC: 'false',
        ACL_ENABLE: 'true',
      },
      '/srv/app',
    );
    expect(config.home).toBe('/var/rd');
    expect(config.aclEnable).toBe(true);
    expect(config.aclFile).toBe('/var/rd/conf/plain_acl.yml');
    expect(config.namesrvPort).toBe(19876);
    expect(config.brokerPort).toBe(20911);
    expect(config.brokerFastPort).toBeNull();
    expect(config.consolePort).toBe(18899);
    expect(config.brokerIP1).toBe('10.1.2.3');
    expect(config.flushDiskType).toBe('SYNC_FLUSH');
    expect(config.autoCreateTopicEnable).toBe(false);
    expect(config.consoleNamesrvAddr).toEqual(['127.0.0.1:19876']);
  });

  it('manages a remote cluster without embedding anything when NAMESRV_ADDR is set', () => {
    const remote = loadRuntimeConfig({ NAMESRV_ADDR: '10.0.0.1:9876;10.0.0.2:9876' });
    expect(remote.embedded).toBe(false);
    expect(remote.consoleNamesrvAddr).toEqual(['10.0.0.1:9876', '10.0.0.2:9876']);
    expect(loadRuntimeConfig({ NAMESRV_ADDR: '10.0.0.1:9876', ROCKETDECK_EMBEDDED: '1' }).embedded).toBe(true);
    expect(loadRuntimeConfig({ NAMESRV_ADDR: '  ' }).embedded).toBe(true);
  });

  it.each([
    [{ NAMESRV_PORT: 'abc' }, /NAMESRV_PORT=abc is not a valid port/],
    [{ BROKER_PORT: '70000' }, /BROKER_PORT=70000 is not a valid port/],
    [{ PORT: '-1' }, /PORT=-1 is not a valid port/],
    [{ NAMESRV_ADDR: 'localhost' }, /"localhost" is not host:port/],
    [{ NAMESRV_ADDR: '127.0.0.1:99999' }, /is not host:port/],
    [{ FLUSH_DISK_TYPE: 'sometimes' }, /FLUSH_DISK_TYPE=sometimes must be ASYNC_FLUSH or SYNC_FLUSH/],
    [{ AUTO_CREATE_TOPIC: 'maybe' }, /AUTO_CREATE_TOPIC=maybe is not a boolean/],
    [{ GRPC_PORT: '8o81' }, /GRPC_PORT=8o81 is not a valid port/],
    [{ GRPC_TLS_CERT: 'cert.pem' }, /GRPC_TLS_CERT and GRPC_TLS_KEY go together/],
  ])('rejects %o with a one-line ConfigError', (env, message) => {
    expect(() => loadRuntimeConfig(env)).toThrow(ConfigError);
    expect(() => loadRuntimeConfig(env)).toThrow(message);
  });
});

describe('parseNamesrvAddr', () => {
  it('accepts ; , and spaces as separators', () => {
    expect(parseNamesrvAddr('a:1; b:2,c:3 d:4')).toEqual(['a:1', 'b:2', 'c:3', 'd:4']);
  });
  it('rejects an empty list', () => {
    expect(() => parseNamesrvAddr(' ; ')).toThrow(/empty/);
  });
});
