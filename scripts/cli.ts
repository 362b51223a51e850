/**
 * `npx rocketdeck <command>`
 *   start                 everything in one process (same as `npm start`)
 *   namesrv / broker      the NameServer or a Broker alone (broker-core/cli/server-commands.ts)
 *   proxy                 the gRPC endpoint for RocketMQ 5.x clients alone, in front of a cluster
 *   console               the console alone, on a NameServer list (-n, else NAMESRV_ADDR)
 *   admin <subcommand>    mqadmin-style operations (clusterList, topicList, ...); -n host:port or NAMESRV_ADDR
 *   demo                  demo traffic for a tour of the console (broker-core/cli/demo.ts)
 * `rocketdeck <command> -h` prints that command's usage.
 */
const USAGE = `usage: rocketdeck <command> [options]   (rocketdeck <command> -h for its options)

commands:
  start                  NameServer + Broker + console in one process (same as npm start)
  namesrv [-p 9876] [-c namesrv.properties]
                         a NameServer alone (RocketMQ's mqnamesrv)
  broker -n host:port[;host:port] [-c broker.properties]
                         a Broker alone (RocketMQ's mqbroker), reading RocketMQ's broker.properties keys
  proxy -n host:port[;host:port]
                         the gRPC endpoint for RocketMQ 5.x clients alone (RocketMQ's Proxy, cluster mode)
  console [-n host:port[;host:port]]
                         the console alone, on that NameServer list (else NAMESRV_ADDR, else 127.0.0.1:9876)
  admin <subcommand>     mqadmin-style operations, e.g. "rocketdeck admin clusterList -n 127.0.0.1:9876"
  user <command>         console users: add <name> --role admin|read-only, passwd, role, remove, list
  demo [-n host:port] [-t seconds]
                         demo traffic (topics, an online, a lagging and a failing group, a DLQ, a traced
                         message) so every console page has something to show; Ctrl+C stops it
`;

const CONSOLE_USAGE = `usage: rocketdeck console [-n host:port[;host:port]]
  The console alone (nothing embedded), managing the cluster behind that NameServer list: Rocketdeck brokers
  or Apache RocketMQ 4.9/5.x. Each browser session may switch to another cluster on the OPS page.
  -n list                  NameServers (else NAMESRV_ADDR, else 127.0.0.1:9876)
  PORT, HOST               console port and bind address (default 8899, 127.0.0.1)
  ROCKETDECK_HOME          keeps the console's saved clusters and metrics (default ./data)
`;

/** Sets the console's NameServer list from -n or NAMESRV_ADDR; returns an error line, or null. */
async function consoleArgs(args: string[]): Promise<string | null> {
  const { parseNamesrvList } = await import('../broker-core/client/namesrv-list');
  let list = process.env.NAMESRV_ADDR?.trim() || '127.0.0.1:9876';
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-n') return `unknown option ${args[i]}`;
    const value = args[++i];
    if (value === undefined || value.startsWith('-')) return 'option -n needs a value';
    list = value;
  }
  const parsed = parseNamesrvList(list);
  if (!parsed.ok) return parsed.error;
  process.env.NAMESRV_ADDR = parsed.list.join(';');
  process.env.ROCKETDECK_EMBEDDED = '0';
  return null;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      await import('./start');
      return -1; // start keeps running
    case 'namesrv': {
      const { runNamesrv } = await import('../broker-core/cli/server-commands');
      return runNamesrv(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'broker': {
      const { runBroker } = await import('../broker-core/cli/server-commands');
      return runBroker(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'proxy': {
      const { runProxy } = await import('../broker-core/cli/server-commands');
      return runProxy(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'console': {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(CONSOLE_USAGE);
        return 0;
      }
      const error = await consoleArgs(rest);
      if (error) {
        process.stderr.write(`rocketdeck console: ${error}\n${CONSOLE_USAGE}`);
        return 1;
      }
      await import('./start');
      return -1;
    }
    case 'admin': {
      const { runAdminCli } = await import('../broker-core/cli/admin-cli');
      return runAdminCli(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'demo': {
      const { runDemo } = await import('../broker-core/cli/demo');
      return runDemo(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'user': {
      const { runUserCli, passwordReader } = await import('../lib/server/security/user-cli');
      return runUserCli(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, readPassword: passwordReader() });
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`rocketdeck: unknown command "${command}"\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Admin commands end the process once their output is written, even if a socket lingers.
    if (code >= 0) process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`rocketdeck: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
