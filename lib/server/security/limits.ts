/** Named maxima of the console's security layer (sign-in, sessions, tokens, audit), each with why. */

/** Users in users.json: a console has a handful of operators; a huge file would be read on every request. */
export const USERS_MAX = 1_000;
/** Live sessions kept; the oldest is dropped beyond this (a script logging in in a loop cannot grow the file forever). */
export const SESSIONS_MAX = 10_000;
/** API tokens kept, revoked ones included (they stay listed so the audit's "who" can be traced). */
export const TOKENS_MAX = 1_000;
/** A session lasts this long after sign-in (ROCKETDECK_SESSION_HOURS overrides). */
export const SESSION_TTL_HOURS_DEFAULT = 12;
/** Failed sign-ins allowed per client address in LOGIN_WINDOW_MS before 429. */
export const LOGIN_FAILURES_PER_ADDRESS_MAX = 20;
/** Failed sign-ins allowed per user name from one address in LOGIN_WINDOW_MS before 429. */
export const LOGIN_FAILURES_PER_ADDRESS_USER_MAX = 5;
/**
 * Failed sign-ins allowed per user name from all addresses together: slows guessing one account from many
 * addresses, yet high enough that one address cannot lock a colleague out (that address stops at 5).
 */
export const LOGIN_FAILURES_PER_USER_MAX = 50;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Addresses and names the rate limiter remembers; the oldest is forgotten beyond this. */
export const LOGIN_LIMITER_KEYS_MAX = 10_000;
/** Password length bounds: long enough to resist guessing, short enough that scrypt input stays small. */
export const PASSWORD_LENGTH_MIN = 10;
export const PASSWORD_LENGTH_MAX = 256;
/** How often a token's lastUsedAt is written back (it is a hint, not a log: the audit is the log). */
export const TOKEN_LAST_USED_WRITE_MS = 10 * 60_000;

/** Days of audit files kept (ROCKETDECK_AUDIT_RETENTION_DAYS overrides, 1 to 3650). */
export const AUDIT_RETENTION_DAYS_DEFAULT = 90;
/** One audit line at most: before/after beyond this are cut and marked, so one reset of 10k queues stays readable. */
export const AUDIT_LINE_BYTES_MAX = 64 * 1024;
/** Response bytes the recorder keeps to read an error code from a failed write (error bodies are small). */
export const AUDIT_RESPONSE_CAPTURE_BYTES_MAX = 16 * 1024;
/** Route details waiting for their response to finish; beyond this the oldest are dropped (a leak guard). */
export const AUDIT_PENDING_DETAILS_MAX = 1_024;
/** Entries one audit query reads at most; the answer says when it stopped early. */
export const AUDIT_SCAN_ENTRIES_MAX = 500_000;
export const AUDIT_PAGE_SIZE_MAX = 200;
