import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePortFree, PortInUseError } from './ports';

describe('ensurePortFree', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('names the port and the variable to change when the port is taken', async () => {
    const taken = net.createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const failure = await ensurePortFree(port, 'NAMESRV_PORT').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `port ${port} is already in use; set NAMESRV_PORT to a free port (e.g. NAMESRV_PORT=${port + 1000})`,
    );
  });

  it('passes for a free port and leaves it free', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '0.0.0.0', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await expect(ensurePortFree(port, 'PORT')).resolves.toBeUndefined();
    await expect(ensurePortFree(port, 'PORT')).resolves.toBeUndefined();
  });
});
