/**
 * Console users in ROCKETDECK_HOME/console/users.json (mode 0600): name, role (admin or read-only) and an
 * scrypt password hash. The proxy re-reads the file when it changes, so `rocketdeck user ...` takes effect at
 * once, role changes included. First run: when sign-in is required and there is no user yet, `npm start`
 * creates "admin" with a random one-time password written to console/initial-admin-password (mode 0600)
 * and forces a new password at the first sign-in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { USER_NAME, type Role } from '../../security-validation';
import { consoleHome } from './config';
import { SecurityInputError } from './input-error';
import { readJsonFile, updateJsonFile } from './json-file';
import { USERS_MAX } from './limits';
import { hashPassword, passwordProblem, randomPassword } from './password';

export interface StoredUser {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  /** Set for the bootstrap admin: every request but changing the password is refused until it is changed. */
  mustChangePassword?: boolean;
}

interface UsersFile {
  version: number;
  users: StoredUser[];
}

export type PublicUser = Omit<StoredUser, 'passwordHash'>;

const EMPTY: UsersFile = { version: 1, users: [] };

export const usersFile = (): string => path.join(consoleHome(), 'users.json');
export const bootstrapPasswordFile = (): string => path.join(consoleHome(), 'initial-admin-password');


function read(): UsersFile {
  const file = readJsonFile<UsersFile>(usersFile(), EMPTY);
  return Array.isArray(file?.users) ? file : EMPTY;
}

export function listUsers(): PublicUser[] {
  return read().users.map(({ passwordHash: _hash, ...user }) => user);
}

export function findUser(name: string): StoredUser | undefined {
  return read().users.find((u) => u.name === name);
}

export function userCount(): number {
  return read().users.length;
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) throw new SecurityInputError('Use letters, digits, ., _, @ and -, starting with a letter or digit (at most 64)', 'name');
}

export async function addUser(name: string, role: Role, password: string, options: { mustChangePassword?: boolean } = {}): Promise<PublicUser> {
  checkName(name);
  const problem = passwordProblem(password, name);
  if (problem) throw new SecurityInputError(problem, 'password');
  const passwordHash = await hashPassword(password);
  const now = Date.now();
  const user: StoredUser = { name, role, passwordHash, createdAt: now, passwordChangedAt: now, ...(options.mustChangePassword ? { mustChangePassword: true } : {}) };
  updateJsonFile(usersFile(), EMPTY, (current) => {
    if (current.users.some((u) => u.name === name)) throw new SecurityInputError(`User "${name}" already exists`, 'name');
    if (current.users.length >= USERS_MAX) throw new SecurityInputError(`At most ${USERS_MAX} users`, 'name');
    return { next: { version: 1, users: [...current.users, user] }, result: undefined };
  });
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

/** Sets a new password (clearing a forced change) and removes the bootstrap password file once it is useless. */
export async function setPassword(name: string, password: string): Promise<void> {
  const problem = passwordProblem(password, name);
  if (problem) throw new SecurityInputError(problem, 'next');
  const passwordHash = await hashPassword(password);
  updateJsonFile(usersFile(), EMPTY, (current) => {
    const user = current.users.find((u) => u.name === name);
    if (!user) throw new SecurityInputError(`No user "${name}"`, 'name', 404);
    user.passwordHash = passwordHash;
    user.passwordChangedAt = Date.now();
    delete user.mustChangePassword;
    return { next: current, result: undefined };
  });
  if (!read().users.some((u) => u.mustChangePassword)) fs.rmSync(bootstrapPasswordFile(), { force: true });
}

export function setRole(name: string, role: Role): void {
  updateJsonFile(usersFile(), EMPTY, (current) => {
    const user = current.users.find((u) => u.name === name);
    if (!user) throw new SecurityInputError(`No user "${name}"`, 'name', 404);
    if (user.role === 'admin' && role !== 'admin' && current.users.filter((u) => u.role === 'admin').length === 1) throw new SecurityInputError('The last admin cannot lose the admin role', 'role');
    user.role = role;
    return { next: current, result: undefined };
  });
}

export function removeUser(name: string): void {
  updateJsonFile(usersFile(), EMPTY, (current) => {
    const user = current.users.find((u) => u.name === name);
    if (!user) throw new SecurityInputError(`No user "${name}"`, 'name', 404);
    if (user.role === 'admin' && current.users.filter((u) => u.role === 'admin').length === 1) throw new SecurityInputError('The last admin cannot be removed', 'name');
    return { next: { version: 1, users: current.users.filter((u) => u.name !== name) }, result: undefined };
  });
}

/**
 * First run with sign-in required and no user: creates "admin" with a random password that must be changed at
 * the first sign-in, written to a 0600 file (never to the log). Returns that file, or null when users exist.
 */
export async function ensureBootstrapAdmin(): Promise<string | null> {
  if (userCount() > 0) return fs.existsSync(bootstrapPasswordFile()) ? bootstrapPasswordFile() : null;
  const password = randomPassword();
  await addUser('admin', 'admin', password, { mustChangePassword: true });
  const file = bootstrapPasswordFile();
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}
