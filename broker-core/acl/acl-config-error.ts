/** A plain_acl.yml (or an ACL update) that cannot be used; the message names the file, line and problem. */
import { BrokerError } from '../util/errors';

export class AclConfigError extends BrokerError {
  constructor(message: string, cause?: unknown) {
    super('BROKER_ERR_ACL_CONFIG', message, cause === undefined ? {} : { cause });
    this.name = 'AclConfigError';
  }
}
