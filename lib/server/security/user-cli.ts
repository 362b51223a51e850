/**
 * `npx rocketdeck user <command>`: console users in ROCKETDECK_HOME/console/users.json (default ./data).
 *
 *   user add <name> --role admin|read-only   the password comes from ROCKETDECK_USER_PASSWORD, else the
 *                                            first line of stdin when it is not a terminal, else a hidden prompt
 *   user passwd <name>                       new password (same sources); ends the user's sessions
 *   user role <name> admin|read-only
 *   user remove <name>                       also ends the user's sessions
 *   user list
 *
 * A running console sees every change at its next request.
 */
import { ROLES, type Role } from '../../security-validation';
import { usersFile } from './users';
import { deleteSessionsOf } from './sessions';
import { isSecurityInputError, SecurityInputError } from './input-error';
import { addUser, listUsers, removeUser, setPassword, setRole } from './users';

export interface UserCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Reads a password (a hidden prompt on a terminal, a line of stdin otherwise). */
  readPassword(prompt: string): Promise<string>;
}

const USAGE = `usage: rocketdeck user <command>

  add <name> --role admin|read-only   add a console user
  passwd <name>                       set a new password (ends the user's sessions)
  role <name> admin|read-only         change a user's role
  remove <name>                       remove a user (ends their sessions)
  list                                list users and roles

The password is read from ROCKETDECK_USER_PASSWORD, else from stdin (first line) when stdin is not a terminal,
else from a hidden prompt. Users live in $ROCKETDECK_HOME/console/users.json (default ./data).
`;

function parseRole(value: string | undefined): Role | null {
  return ROLES.includes(value as Role) ? (value as Role) : null;
}

async function newPassword(io: UserCliIo): Promise<string> {
  if (io.env.ROCKETDECK_USER_PASSWORD) return io.env.ROCKETDECK_USER_PASSWORD;
  const first = await io.readPassword('Password: ');
  const again = await io.readPassword('Repeat it: ');
  if (first !== again) throw new SecurityInputError('The two passwords differ', 'password');
  return first;
}

export async function runUserCli(args: string[], io: UserCliIo): Promise<number> {
  const [command, name, ...rest] = args;
  try {
    switch (command) {
      case 'add': {
        const roleIndex = rest.indexOf('--role');
        const role = parseRole(roleIndex >= 0 ? rest[roleIndex + 1] : undefined);
        if (!name || !role) {
          io.stderr.write(`rocketdeck user add: give a name and --role admin or --role read-only\n`);
          return 2;
        }
        await addUser(name, role, await newPassword(io));
        io.stdout.write(`Added ${role} user "${name}" to ${usersFile()}\n`);
        return 0;
      }
      case 'passwd': {
        if (!name) break;
        await setPassword(name, await newPassword(io));
        deleteSessionsOf(name);
        io.stdout.write(`New password set for "${name}"; their sessions ended\n`);
        return 0;
      }
      case 'role': {
        const role = parseRole(rest[0]);
        if (!name || !role) break;
        setRole(name, role);
        io.stdout.write(`"${name}" is now ${role}\n`);
        return 0;
      }
      case 'remove': {
        if (!name) break;
        removeUser(name);
        deleteSessionsOf(name);
        io.stdout.write(`Removed "${name}"\n`);
        return 0;
      }
      case 'list': {
        const users = listUsers();
        if (users.length === 0) io.stdout.write(`No users in ${usersFile()}\n`);
        for (const u of users) io.stdout.write(`${u.name.padEnd(24)} ${u.role.padEnd(10)} created ${new Date(u.createdAt).toISOString()}${u.mustChangePassword ? '  (must change the one-time password)' : ''}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
    }
  } catch (err) {
    if (isSecurityInputError(err)) {
      io.stderr.write(`rocketdeck user ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.stderr.write(`rocketdeck user: bad arguments\n${USAGE}`);
  return 2;
}

/**
 * Reads passwords: from a terminal without echo (raw mode, one line per call), or line by line from piped stdin
 * (what a call does not use is kept for the next one, so "pw\npw\n" answers both prompts).
 */
export function passwordReader(stdin: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr): (prompt: string) => Promise<string> {
  let pending = '';
  let ended = false;
  return (prompt) =>
    new Promise((resolve, reject) => {
      const tty = stdin.isTTY;
      let text = '';
      const finish = (value: string | Error) => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        if (tty) {
          stdin.setRawMode(false);
          output.write('\n');
        }
        stdin.pause();
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      // Consumes characters up to a line end; true when the line is complete.
      const take = (chunk: string): boolean => {
        for (let i = 0; i < chunk.length; i++) {
          const ch = chunk[i]!;
          if (ch === '\u0003') {
            finish(new Error('cancelled'));
            return true;
          }
          if (ch === '\r' || ch === '\n') {
            pending = chunk.slice(ch === '\r' && chunk[i + 1] === '\n' ? i + 2 : i + 1);
            finish(text);
            return true;
          }
          if (tty && (ch === '\u007f' || ch === '\b')) text = text.slice(0, -1);
          else text += ch;
        }
        return false;
      };
      const onData = (chunk: string) => void take(chunk);
      const onEnd = () => {
        ended = true;
        finish(text);
      };
      const buffered = pending;
      pending = '';
      if (take(buffered)) return;
      if (ended) return finish(text);
      if (tty) {
        output.write(prompt);
        stdin.setRawMode(true);
      }
      stdin.setEncoding('utf8');
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      stdin.resume();
    });
}
