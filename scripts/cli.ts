/**
 * `npx rocketdeck <command>`
 *   start                 everything in one process (same as `npm start`)
 *   admin <subcommand>    mqadmin-style operations (clusterList, topicList, ...); -n host:port or NAMESRV_ADDR
 */
const USAGE = `usage: rocketdeck <command>

commands:
  start                  NameServer + Broker + console in one process (same as npm start)
  namesrv [-p 9876]      a NameServer alone (RocketMQ's mqnamesrv)
  broker -n host:port [-c broker.properties]
                         a Broker alone (RocketMQ's mqbroker), reading RocketMQ's broker.properties keys
  console                the console alone, on NAMESRV_ADDR (default 127.0.0.1:9876)
  admin <subcommand>     mqadmin-style operations, e.g. "rocketdeck admin clusterList -n 127.0.0.1:9876"
  user <command>         console users: add <name> --role admin|read-only, passwd, role, remove, list
`;

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
    case 'console':
      // The console alone, on the cluster named by NAMESRV_ADDR (default: a NameServer on this machine).
      process.env.NAMESRV_ADDR ||= '127.0.0.1:9876';
      process.env.ROCKETDECK_EMBEDDED = '0';
      await import('./start');
      return -1;
    case 'admin': {
      const { runAdminCli } = await import('../broker-core/cli/admin-cli');
      return runAdminCli(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
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
