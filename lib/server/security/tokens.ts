/**
 * API tokens for scripts: `Authorization: Bearer rdk_<43 chars>`. Shown once at creation; the file
 * ROCKETDECK_HOME/console/tokens.json keeps the SHA-256 of the secret (256 random bits need no slow hash), a
 * name (the audit's "who"), a role, who created it, an optional expiry and the revocation time. Revoked tokens
 * stay listed so old audit entries can still be traced to them.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Role } from '../../security-validation';
import { consoleHome } from './config';
import { SecurityInputError } from './input-error';
import { readJsonFile, updateJsonFile } from './json-file';
import { TOKEN_LAST_USED_WRITE_MS, TOKENS_MAX } from './limits';

export const TOKEN_PREFIX = 'rdk_';

export interface StoredToken {
  id: string;
  name: string;
  role: Role;
  secretHash: string;
  /** The first characters of the secret, to recognise a token in a script without storing it. */
  hint: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy?: string;
  lastUsedAt: number | null;
}

interface TokensFile {
  version: number;
  tokens: StoredToken[];
}

export type PublicToken = Omit<StoredToken, 'secretHash'>;

const EMPTY: TokensFile = { version: 1, tokens: [] };
export const tokensFile = (): string => path.join(consoleHome(), 'tokens.json');

const hashSecret = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');

function publicToken({ secretHash: _hash, ...token }: StoredToken): PublicToken {
  return token;
}

export function listTokens(): PublicToken[] {
  return (readJsonFile<TokensFile>(tokensFile(), EMPTY).tokens ?? []).map(publicToken);
}

export function createToken(input: { name: string; role: Role; expiresInDays: number }, createdBy: string, now = Date.now()): { token: PublicToken; secret: string } {
  const secret = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const stored: StoredToken = {
    id: crypto.randomBytes(8).toString('hex'),
    name: input.name,
    role: input.role,
    secretHash: hashSecret(secret),
    hint: secret.slice(0, TOKEN_PREFIX.length + 4),
    createdAt: now,
    createdBy,
    expiresAt: input.expiresInDays > 0 ? now + input.expiresInDays * 86_400_000 : null,
    revokedAt: null,
    lastUsedAt: null,
  };
  updateJsonFile(tokensFile(), EMPTY, (current) => {
    if (current.tokens.some((t) => t.name === input.name && t.revokedAt === null)) throw new SecurityInputError(`A token named "${input.name}" is already active; revoke it or choose another name`, 'name', 409);
    if (current.tokens.length >= TOKENS_MAX) throw new SecurityInputError(`At most ${TOKENS_MAX} tokens; remove revoked ones from tokens.json`, 'name', 409);
    return { next: { version: 1, tokens: [...current.tokens, stored] }, result: undefined };
  });
  return { token: publicToken(stored), secret };
}

export function revokeToken(id: string, revokedBy: string, now = Date.now()): PublicToken {
  return updateJsonFile(tokensFile(), EMPTY, (current) => {
    const token = current.tokens.find((t) => t.id === id);
    if (!token) throw new SecurityInputError(`No token with id ${id}`, 'id', 404);
    if (token.revokedAt === null) {
      token.revokedAt = now;
      token.revokedBy = revokedBy;
    }
    return { next: current, result: publicToken(token) };
  });
}

export type TokenLookup = { ok: true; token: PublicToken } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** The token of a bearer secret. Notes its use at most every TOKEN_LAST_USED_WRITE_MS. */
export function findToken(secret: string, now = Date.now()): TokenLookup {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 128) return { ok: false, reason: 'unknown' };
  const secretHash = hashSecret(secret);
  const token = (readJsonFile<TokensFile>(tokensFile(), EMPTY).tokens ?? []).find((t) => t.secretHash === secretHash);
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (token.expiresAt !== null && token.expiresAt <= now) return { ok: false, reason: 'expired' };
  if (token.lastUsedAt === null || now - token.lastUsedAt > TOKEN_LAST_USED_WRITE_MS) {
    updateJsonFile(tokensFile(), EMPTY, (current) => {
      const stored = current.tokens.find((t) => t.id === token.id);
      if (stored) stored.lastUsedAt = now;
      return { next: current, result: undefined };
    });
  }
  return { ok: true, token: publicToken(token) };
}
