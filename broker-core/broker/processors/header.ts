/**
 * Reading request extFields by name, for the processors not yet moved to a typed header of
 * protocol/headers/ (which is how new code reads a header). Same rules, same errors.
 */
import { HeaderFieldError, optional, readFieldText } from '../../protocol/headers/header-schema';
import type { RemotingCommand } from '../../protocol/remoting-command';

export { HeaderFieldError };

export class Header {
  constructor(private readonly request: RemotingCommand) {}

  #text(name: string): string | undefined {
    const ext = this.request.extFields;
    const value = ext && Object.hasOwn(ext, name) ? ext[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  optString(name: string): string | undefined {
    return this.#text(name);
  }

  string(name: string): string {
    const value = this.optString(name);
    if (value === undefined || value === '') throw new HeaderFieldError(`the custom field <${name}> is null`);
    return value;
  }

  /** A Java long field (offsets, timestamps). */
  optNumber(name: string): number | undefined {
    return readFieldText(name, optional.long(), this.#text(name)) as number | undefined;
  }

  number(name: string): number {
    const n = this.optNumber(name);
    if (n === undefined) throw new HeaderFieldError(`the custom field <${name}> is null`);
    return n;
  }

  /** A Java int field (queue ids, flags, counts). */
  optInt(name: string): number | undefined {
    return readFieldText(name, optional.int(), this.#text(name)) as number | undefined;
  }

  int(name: string): number {
    const n = this.optInt(name);
    if (n === undefined) throw new HeaderFieldError(`the custom field <${name}> is null`);
    return n;
  }

  optBoolean(name: string): boolean | undefined {
    return readFieldText(name, optional.boolean(), this.#text(name)) as boolean | undefined;
  }
}
