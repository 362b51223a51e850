/**
 * The broker's ACL from one plain_acl.yml (PlainPermissionManager in apache/rocketmq 4.9, which reads
 * ROCKETMQ_HOME/conf/plain_acl.yml; Rocketdeck's is ROCKETDECK_HOME/conf/plain_acl.yml).
 *
 * - load(): reads the file at start; a missing file is created empty (every request then needs an account
 *   nobody has, as in RocketMQ); a bad file throws AclConfigError, so the broker does not start on it.
 * - The file is polled every watchIntervalMs (RocketMQ: 5 s, by modification time and content hash); a changed
 *   file replaces the ACL as a whole. A changed file that cannot be read keeps the previous ACL and is logged
 *   once per content.
 * - updateAccessConfig / deleteAccessConfig / updateGlobalWhiteRemoteAddresses edit the file (comments kept),
 *   bump its dataVersion, check the result reads back, write it atomically and apply it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../broker/config/json-file';
import { errorMessage } from '../util/errors';
import type { Logger } from '../util/logger';
import { AclConfigError } from './acl-config-error';
import { parsePermission } from './permission';
import { ACL_KEY_LENGTH_MIN_EXCLUSIVE, parsePlainAcl, parseResourcePerm, PlainAclDocument, type AccessConfigUpdate, type DataVersion, type PlainAcl } from './plain-acl-file';
import { parseAddressPattern } from './remote-address';

const EMPTY_FILE = `# Rocketdeck broker ACL, in RocketMQ 4.x's plain_acl.yml format (see the README's ACL section).
# With aclEnable=true every request needs an account below (or an address in globalWhiteRemoteAddresses).
globalWhiteRemoteAddresses: []
accounts: []
`;

export interface PlainPermissionManagerOptions {
  file: string;
  logger: Logger;
  watchIntervalMs: number;
}

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

function stampOf(file: string): FileStamp | null {
  try {
    const stat = fs.statSync(file);
    return { mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino };
  } catch {
    return null;
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return a !== null && b !== null && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

export class PlainPermissionManager {
  readonly file: string;
  readonly #logger: Logger;
  readonly #watchIntervalMs: number;
  #acl: PlainAcl | undefined;
  #version: DataVersion = { counter: 0, timestamp: Date.now() };
  #appliedHash = '';
  #rejectedHash = '';
  #stamp: FileStamp | null = null;
  #missingLogged = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PlainPermissionManagerOptions) {
    this.file = path.resolve(options.file);
    this.#logger = options.logger;
    this.#watchIntervalMs = options.watchIntervalMs;
  }

  get acl(): PlainAcl {
    if (!this.#acl) throw new AclConfigError('the ACL is not loaded yet');
    return this.#acl;
  }

  /** The file's dataVersion (counter 0 and the load time when the file has none). */
  get dataVersion(): DataVersion {
    return { ...this.#version };
  }

  /** Reads the file (creating an empty one when missing); throws AclConfigError when it cannot be used. */
  load(): void {
    if (!fs.existsSync(this.file)) {
      writeFileAtomic(this.file, EMPTY_FILE);
      this.#logger.warn('ACL is on and there was no ACL file: created an empty one; every request is refused until it has accounts', { file: this.file });
    }
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      throw new AclConfigError(`cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`, err);
    }
    this.#apply(text, 'loaded');
  }

  startWatching(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#checkFile(), this.#watchIntervalMs);
    this.#timer.unref();
  }

  stopWatching(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** UPDATE_AND_CREATE_ACL_CONFIG: adds or changes an account; throws AclConfigError for a bad update. */
  updateAccessConfig(update: AccessConfigUpdate): void {
    const where = `account ${update.accessKey}`;
    if (update.accessKey.length <= ACL_KEY_LENGTH_MIN_EXCLUSIVE) throw new AclConfigError(`the accessKey must be longer than ${ACL_KEY_LENGTH_MIN_EXCLUSIVE} characters`);
    if (update.secretKey !== undefined && update.secretKey.length <= ACL_KEY_LENGTH_MIN_EXCLUSIVE) throw new AclConfigError(`the secretKey of ${where} must be longer than ${ACL_KEY_LENGTH_MIN_EXCLUSIVE} characters`);
    if (!update.secretKey && !this.acl.accounts.has(update.accessKey)) throw new AclConfigError(`${where} is new, so it needs a secretKey`);
    if (update.defaultTopicPerm) parsePermission(update.defaultTopicPerm, `defaultTopicPerm of ${where}`);
    if (update.defaultGroupPerm) parsePermission(update.defaultGroupPerm, `defaultGroupPerm of ${where}`);
    for (const entry of update.topicPerms ?? []) parseResourcePerm(entry, 'topicPerms', `topicPerms of ${where}`);
    for (const entry of update.groupPerms ?? []) parseResourcePerm(entry, 'groupPerms', `groupPerms of ${where}`);
    if (update.whiteRemoteAddress) parseAddressPattern(update.whiteRemoteAddress);
    this.#edit((doc) => doc.upsertAccount(update));
  }

  /** DELETE_ACL_CONFIG: false when there is no such account. */
  deleteAccessConfig(accessKey: string): boolean {
    if (!this.acl.accounts.has(accessKey)) return false;
    let deleted = false;
    this.#edit((doc) => {
      deleted = doc.deleteAccount(accessKey);
    });
    return deleted;
  }

  /** UPDATE_GLOBAL_WHITE_ADDRS_CONFIG: replaces globalWhiteRemoteAddresses. */
  updateGlobalWhiteRemoteAddresses(patterns: string[]): void {
    for (const pattern of patterns) parseAddressPattern(pattern);
    this.#edit((doc) => doc.setGlobalWhiteRemoteAddresses(patterns));
  }

  #edit(change: (doc: PlainAclDocument) => void): void {
    let current: string;
    try {
      current = fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : EMPTY_FILE;
    } catch (err) {
      throw new AclConfigError(`cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`, err);
    }
    const doc = PlainAclDocument.parse(current, this.file);
    change(doc);
    doc.setDataVersion({ counter: this.#version.counter + 1, timestamp: Date.now() });
    const text = doc.toString();
    parsePlainAcl(text, this.file); // what is written must read back
    writeFileAtomic(this.file, text);
    this.#apply(text, 'changed by an admin request');
  }

  #apply(text: string, how: string): void {
    const stamp = stampOf(this.file);
    const { acl, warnings } = parsePlainAcl(text, this.file);
    for (const warning of warnings) this.#logger.warn(warning);
    this.#acl = acl;
    this.#version = acl.dataVersion ?? { counter: 0, timestamp: Date.now() };
    this.#appliedHash = sha256(text);
    this.#rejectedHash = '';
    this.#stamp = stamp;
    this.#logger.info(`ACL ${how}`, { file: this.file, accounts: acl.accounts.size, globalWhiteRemoteAddresses: acl.globalWhiteRemoteAddresses.length, dataVersion: this.#version.counter });
  }

  #checkFile(): void {
    const stamp = stampOf(this.file);
    if (stamp === null) {
      if (!this.#missingLogged) this.#logger.warn('the ACL file is gone: keeping the ACL last read from it', { file: this.file });
      this.#missingLogged = true;
      this.#stamp = null;
      return;
    }
    this.#missingLogged = false;
    if (sameStamp(stamp, this.#stamp)) return;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      this.#logger.warn('cannot read the changed ACL file: keeping the previous ACL', { file: this.file, error: errorMessage(err) });
      return;
    }
    this.#stamp = stamp;
    const hash = sha256(text);
    if (hash === this.#appliedHash || hash === this.#rejectedHash) return;
    try {
      this.#apply(text, 'reloaded');
    } catch (err) {
      this.#rejectedHash = hash;
      this.#logger.error('the changed ACL file is not valid: keeping the previous ACL', { error: errorMessage(err) });
    }
  }
}
