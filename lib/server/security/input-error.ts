/**
 * A refusal of user input by the users or tokens store, naming the field it belongs to (shown beside it).
 * Boundaries recognise it by `code`, not instanceof (route bundles may hold their own copy of this class).
 */
export const SECURITY_INPUT_ERROR = 'SECURITY_ERR_INPUT';

export class SecurityInputError extends Error {
  readonly code = SECURITY_INPUT_ERROR;
  constructor(
    message: string,
    readonly field: string,
    /** 400 for bad input; 404 when the thing named does not exist; 409 when it conflicts with what exists. */
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = 'SecurityInputError';
  }
}

export function isSecurityInputError(err: unknown): err is SecurityInputError {
  return (err as { code?: unknown } | null)?.code === SECURITY_INPUT_ERROR;
}
