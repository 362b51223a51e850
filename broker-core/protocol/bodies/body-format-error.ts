import { BrokerError } from '../../util/errors';

/** A request body that is missing or not the JSON shape its request code carries: answered SYSTEM_ERROR with a remark. */
export class BodyFormatError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'BodyFormatError';
  }
}
