import net from 'node:net';

export class PortInUseError extends Error {
  readonly port: number;
  readonly variable: string;
  constructor(port: number, variable: string) {
    super(`port ${port} is already in use; set ${variable} to a free port (e.g. ${variable}=${port + 1000})`);
    this.name = 'PortInUseError';
    this.port = port;
    this.variable = variable;
  }
}

/** Binds and releases a port to tell early, in one line, which variable to change. Port 0 always passes. */
export async function ensurePortFree(port: number, variable: string, host = '0.0.0.0'): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new PortInUseError(port, variable));
      else if (err.code === 'EACCES') reject(new Error(`port ${port} needs privileges; set ${variable} to a port above 1023`));
      else reject(err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
