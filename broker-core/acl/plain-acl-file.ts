/**
 * plain_acl.yml, RocketMQ 4.x's format (distribution/conf/plain_acl.yml in apache/rocketmq 4.9):
 *
 *   globalWhiteRemoteAddresses:      # addresses that skip every check (remote-address.ts for the patterns)
 *     - 10.10.103.*
 *   accounts:
 *     - accessKey: RocketMQ          # more than 6 characters
 *       secretKey: 12345678          # more than 6 characters
 *       whiteRemoteAddress:          # requests from here skip the signature and permission checks
 *       admin: false                 # admin accounts may send the admin request codes
 *       defaultTopicPerm: DENY       # for topics not in topicPerms (absent = DENY)
 *       defaultGroupPerm: SUB        # for groups not in groupPerms (absent = DENY)
 *       topicPerms:
 *         - topicA=DENY
 *         - topicB=PUB|SUB
 *       groupPerms:
 *         - groupA=SUB
 *   dataVersion:                     # written by the broker when mqadmin changes the file
 *     - counter: 1
 *       timestamp: 1700000000000
 *
 * Read strictly: YAML syntax errors, wrong types, short keys, unknown permissions, bad address patterns and
 * an accessKey given twice are AclConfigErrors naming the file and line. Keys RocketMQ does not know are
 * reported as warnings. Scalars are read as text (the YAML failsafe schema), so `secretKey: 0123` stays "0123".
 *
 * Edits (UPDATE_AND_CREATE_ACL_CONFIG and friends) go through PlainAclDocument, which keeps the file's
 * comments and layout and the order of its entries.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { AclConfigError } from './acl-config-error';
import { parsePermission, Permission, retryTopic } from './permission';
import { parseAddressPattern, type AddressMatcher } from './remote-address';

/** An account as written in the file (and as GET_BROKER_CLUSTER_ACL_CONFIG returns it). */
export interface PlainAccessConfig {
  accessKey: string;
  secretKey: string;
  whiteRemoteAddress: string | null;
  admin: boolean;
  defaultTopicPerm: string | null;
  defaultGroupPerm: string | null;
  topicPerms: string[];
  groupPerms: string[];
}

export interface DataVersion {
  counter: number;
  timestamp: number;
}

/** An account ready for checks. */
export interface AclAccount {
  config: PlainAccessConfig;
  admin: boolean;
  defaultTopicPerm: number;
  defaultGroupPerm: number;
  /** topic → perm, and `%RETRY%group` → perm. */
  resourcePerms: ReadonlyMap<string, number>;
  whiteAddress: AddressMatcher;
}

export interface PlainAcl {
  globalWhiteRemoteAddresses: string[];
  globalWhite: AddressMatcher[];
  accounts: ReadonlyMap<string, AclAccount>;
  /** The file's dataVersion, or null when it has none. */
  dataVersion: DataVersion | null;
}

/** RocketMQ's AclConstants.ACCESS_KEY_MIN_LENGTH / SECRET_KEY_MIN_LENGTH: keys must be longer than this. */
export const ACL_KEY_LENGTH_MIN_EXCLUSIVE = 6;

const TOP_KEYS = new Set(['globalWhiteRemoteAddresses', 'accounts', 'dataVersion']);
const ACCOUNT_KEYS = new Set(['accessKey', 'secretKey', 'whiteRemoteAddress', 'admin', 'defaultTopicPerm', 'defaultGroupPerm', 'topicPerms', 'groupPerms']);
const NULL_TEXTS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE_TEXTS = new Set(['true', 'yes', 'on']);
const FALSE_TEXTS = new Set(['false', 'no', 'off']);

class Reader {
  readonly warnings: string[] = [];
  readonly #lines: LineCounter;
  readonly #source: string;

  constructor(source: string, lines: LineCounter) {
    this.#source = source;
    this.#lines = lines;
  }

  at(node: Node | null | undefined, fallback?: Node | null): string {
    const range = node?.range ?? fallback?.range;
    if (!range) return this.#source;
    return `${this.#source} line ${this.#lines.linePos(range[0]).line}`;
  }

  fail(node: Node | null | undefined, message: string, fallback?: Node | null): never {
    throw new AclConfigError(`${this.at(node, fallback)}: ${message}`);
  }

  /** A scalar as text, or null for an empty value; anything else is an error. */
  text(node: unknown, what: string, parent: Node): string | null {
    if (node === null || node === undefined) return null;
    if (!isScalar(node)) return this.fail(node as Node, `${what} must be a single value, not a ${isSeq(node) ? 'list' : 'map'}`, parent);
    const value = String(node.value ?? '').trim();
    if (value === '' || (node.type === 'PLAIN' && NULL_TEXTS.has(value))) return null;
    return value;
  }

  list(node: unknown, what: string, parent: Node): { values: string[]; nodes: Node[] } {
    if (node === null || node === undefined || (isScalar(node) && this.text(node, what, parent) === null)) return { values: [], nodes: [] };
    if (!isSeq(node)) this.fail(node as Node, `${what} must be a list ("- value" lines), not a single value`, parent);
    const values: string[] = [];
    const nodes: Node[] = [];
    for (const item of node.items) {
      const value = this.text(item, `each entry of ${what}`, node);
      if (value === null) continue;
      values.push(value);
      nodes.push(item as Node);
    }
    return { values, nodes };
  }

  bool(node: unknown, what: string, parent: Node): boolean {
    const value = this.text(node, what, parent);
    if (value === null) return false;
    const lower = value.toLowerCase();
    if (TRUE_TEXTS.has(lower)) return true;
    if (FALSE_TEXTS.has(lower)) return false;
    return this.fail(node as Node, `${what} must be true or false (got "${value}")`);
  }

  keys(map: YAMLMap, known: Set<string>, what: string): void {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!known.has(key)) this.warnings.push(`${this.at(pair.key as Node)}: ${what} key "${key}" is not one RocketMQ reads; ignored`);
    }
  }
}

/**
 * One topicPerms / groupPerms entry, `name=PERM`, as [resource, perm]; a group's resource is its retry topic.
 * Throws AclConfigError prefixed with `where`.
 */
export function parseResourcePerm(entry: string, kind: 'topicPerms' | 'groupPerms', where: string): [string, number] {
  const eq = entry.indexOf('=');
  const name = entry.slice(0, eq).trim();
  if (eq <= 0 || name === '' || entry.indexOf('=', eq + 1) >= 0) {
    throw new AclConfigError(`${where}: "${entry}" must be name=PERM, e.g. ${kind === 'topicPerms' ? 'topicA' : 'groupA'}=SUB`);
  }
  return [kind === 'topicPerms' ? name : retryTopic(name), parsePermission(entry.slice(eq + 1), where)];
}

function parseYaml(text: string, source: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) throw new AclConfigError(`${source}: not valid YAML: ${error.message.split('\n')[0]}`);
  return { doc, lines };
}

function readDataVersion(reader: Reader, node: unknown, parent: Node): DataVersion | null {
  const first = isSeq(node) ? node.items[0] : node;
  if (first === null || first === undefined || (isScalar(first) && reader.text(first, 'dataVersion', parent) === null)) return null;
  if (!isMap(first)) return reader.fail(first as Node, 'dataVersion must be a list with one "counter:/timestamp:" entry', parent);
  const number = (key: string): number => {
    const value = reader.text(first.get(key, true), `dataVersion ${key}`, first);
    const n = Number(value ?? 0);
    if (!Number.isSafeInteger(n) || n < 0) return reader.fail(first.get(key, true) as Node, `dataVersion ${key} must be a whole number (got "${value}")`, first);
    return n;
  };
  return { counter: number('counter'), timestamp: number('timestamp') };
}

function readAccount(reader: Reader, node: unknown, index: number, seq: Node): AclAccount {
  const what = `accounts entry ${index + 1}`;
  if (!isMap(node)) return reader.fail(node as Node, `${what} must be a map of accessKey, secretKey, ...`, seq);
  reader.keys(node, ACCOUNT_KEYS, what);
  const field = (key: string) => node.get(key, true) as Node | undefined;
  const key = (name: 'accessKey' | 'secretKey'): string => {
    const value = reader.text(field(name), `${what} ${name}`, node);
    if (value === null) return reader.fail(field(name), `${what} has no ${name}`, node);
    if (value.length <= ACL_KEY_LENGTH_MIN_EXCLUSIVE) return reader.fail(field(name), `${what} ${name} must be longer than ${ACL_KEY_LENGTH_MIN_EXCLUSIVE} characters`, node);
    return value;
  };
  const accessKey = key('accessKey');
  const secretKey = key('secretKey');
  const whiteRemoteAddress = reader.text(field('whiteRemoteAddress'), `${what} whiteRemoteAddress`, node);
  const admin = reader.bool(field('admin'), `${what} admin`, node);
  const perm = (name: 'defaultTopicPerm' | 'defaultGroupPerm'): { text: string | null; perm: number } => {
    const text = reader.text(field(name), `${what} ${name}`, node);
    return { text, perm: text === null ? Permission.DENY : parsePermission(text, `${reader.at(field(name), node)}: ${name} of ${accessKey}`) };
  };
  const defaultTopic = perm('defaultTopicPerm');
  const defaultGroup = perm('defaultGroupPerm');
  const resourcePerms = new Map<string, number>();
  const resources = (name: 'topicPerms' | 'groupPerms'): string[] => {
    const { values, nodes } = reader.list(field(name), `${what} ${name}`, node);
    values.forEach((entry, i) => {
      const [resource, perm] = parseResourcePerm(entry, name, `${reader.at(nodes[i], node)}: ${name} of ${accessKey}`);
      resourcePerms.set(resource, perm);
    });
    return values;
  };
  const groupPerms = resources('groupPerms');
  const topicPerms = resources('topicPerms');
  let whiteAddress: AddressMatcher;
  try {
    whiteAddress = parseAddressPattern(whiteRemoteAddress);
  } catch (err) {
    return reader.fail(field('whiteRemoteAddress'), `whiteRemoteAddress of ${accessKey}: ${(err as Error).message}`, node);
  }
  return {
    config: { accessKey, secretKey, whiteRemoteAddress, admin, defaultTopicPerm: defaultTopic.text, defaultGroupPerm: defaultGroup.text, topicPerms, groupPerms },
    admin,
    defaultTopicPerm: defaultTopic.perm,
    defaultGroupPerm: defaultGroup.perm,
    resourcePerms,
    whiteAddress,
  };
}

function readAcl(doc: Document, lines: LineCounter, source: string): { acl: PlainAcl; warnings: string[] } {
  const reader = new Reader(source, lines);
  const root = doc.contents;
  const empty: PlainAcl = { globalWhiteRemoteAddresses: [], globalWhite: [], accounts: new Map(), dataVersion: null };
  if (root === null || (isScalar(root) && reader.text(root, 'the file', root) === null)) return { acl: empty, warnings: [] };
  if (!isMap(root)) return reader.fail(root, 'the file must be a map with globalWhiteRemoteAddresses and accounts');
  reader.keys(root, TOP_KEYS, 'top-level');

  const white = reader.list(root.get('globalWhiteRemoteAddresses', true), 'globalWhiteRemoteAddresses', root);
  const globalWhite = white.values.map((pattern, i) => {
    try {
      return parseAddressPattern(pattern);
    } catch (err) {
      return reader.fail(white.nodes[i], `globalWhiteRemoteAddresses: ${(err as Error).message}`, root);
    }
  });

  const accounts = new Map<string, AclAccount>();
  const firstLine = new Map<string, string>();
  const accountsNode = root.get('accounts', true);
  if (accountsNode !== undefined && accountsNode !== null && !(isScalar(accountsNode) && reader.text(accountsNode, 'accounts', root) === null)) {
    if (!isSeq(accountsNode)) return reader.fail(accountsNode as Node, 'accounts must be a list of "- accessKey: ..." entries', root);
    accountsNode.items.forEach((item, index) => {
      const account = readAccount(reader, item, index, accountsNode);
      const seen = firstLine.get(account.config.accessKey);
      if (seen) reader.fail(item as Node, `accessKey ${account.config.accessKey} is given twice (first at ${seen})`, accountsNode);
      firstLine.set(account.config.accessKey, reader.at(item as Node, accountsNode));
      accounts.set(account.config.accessKey, account);
    });
  }
  const dataVersion = readDataVersion(reader, root.get('dataVersion', true), root);
  return { acl: { globalWhiteRemoteAddresses: white.values, globalWhite, accounts, dataVersion }, warnings: reader.warnings };
}

/** Reads and checks plain_acl.yml text; throws AclConfigError naming `source`, the line and the problem. */
export function parsePlainAcl(text: string, source = 'plain_acl.yml'): { acl: PlainAcl; warnings: string[] } {
  const { doc, lines } = parseYaml(text, source);
  return readAcl(doc, lines, source);
}

/** The fields of an UPDATE_AND_CREATE_ACL_CONFIG request (CreateAccessConfigRequestHeader). */
export interface AccessConfigUpdate {
  accessKey: string;
  secretKey?: string;
  whiteRemoteAddress?: string;
  admin: boolean;
  defaultTopicPerm?: string;
  defaultGroupPerm?: string;
  topicPerms?: string[];
  groupPerms?: string[];
}

/** A plain_acl.yml being edited: comments, order and untouched entries stay as they were. */
export class PlainAclDocument {
  readonly #doc: Document;

  private constructor(doc: Document) {
    this.#doc = doc;
  }

  static parse(text: string, source: string): PlainAclDocument {
    const { doc } = parseYaml(text, source);
    if (doc.contents === null || (isScalar(doc.contents) && String(doc.contents.value ?? '').trim() === '')) doc.contents = doc.createNode({}) as never;
    if (!isMap(doc.contents)) throw new AclConfigError(`${source}: the file must be a map with globalWhiteRemoteAddresses and accounts`);
    return new PlainAclDocument(doc);
  }

  get #root(): YAMLMap {
    return this.#doc.contents as YAMLMap;
  }

  #accounts(): YAMLMap[] {
    const seq = this.#root.get('accounts', true);
    if (!isSeq(seq)) {
      this.#root.set('accounts', this.#doc.createNode([]));
      return [];
    }
    return seq.items.filter((item): item is YAMLMap => isMap(item));
  }

  #find(accessKey: string): YAMLMap | undefined {
    return this.#accounts().find((account) => String(account.get('accessKey') ?? '').trim() === accessKey);
  }

  /** Adds or changes an account the way RocketMQ merges an update into it (absent fields stay). */
  upsertAccount(update: AccessConfigUpdate): void {
    let account = this.#find(update.accessKey);
    if (!account) {
      account = this.#doc.createNode({ accessKey: update.accessKey }) as YAMLMap;
      const seq = this.#root.get('accounts', true);
      if (isSeq(seq)) seq.items.push(account);
      else this.#root.set('accounts', this.#doc.createNode([account]));
    }
    if (update.secretKey) account.set('secretKey', update.secretKey);
    if (update.whiteRemoteAddress !== undefined) account.set('whiteRemoteAddress', update.whiteRemoteAddress);
    account.set('admin', String(update.admin));
    if (update.defaultTopicPerm) account.set('defaultTopicPerm', update.defaultTopicPerm);
    if (update.defaultGroupPerm) account.set('defaultGroupPerm', update.defaultGroupPerm);
    if (update.topicPerms) account.set('topicPerms', this.#doc.createNode(update.topicPerms));
    if (update.groupPerms) account.set('groupPerms', this.#doc.createNode(update.groupPerms));
  }

  /** Removes an account; false when there is none with that accessKey. */
  deleteAccount(accessKey: string): boolean {
    const seq = this.#root.get('accounts', true);
    if (!isSeq(seq)) return false;
    const index = seq.items.findIndex((item) => isMap(item) && String(item.get('accessKey') ?? '').trim() === accessKey);
    if (index < 0) return false;
    seq.items.splice(index, 1);
    return true;
  }

  setGlobalWhiteRemoteAddresses(patterns: string[]): void {
    this.#root.set('globalWhiteRemoteAddresses', this.#doc.createNode(patterns));
  }

  setDataVersion(version: DataVersion): void {
    this.#root.set('dataVersion', this.#doc.createNode([{ counter: String(version.counter), timestamp: String(version.timestamp) }]));
  }

  toString(): string {
    return this.#doc.toString();
  }
}
