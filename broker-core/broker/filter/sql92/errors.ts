/** Errors of the SQL92 selector: a syntax error when compiling, a type mismatch when evaluating. */
import { BrokerError } from '../../../util/errors';

/** The expression cannot be compiled (RocketMQ answers SUBSCRIPTION_PARSE_FAILED). */
export class Sql92SyntaxError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'Sql92SyntaxError';
  }
}

/**
 * Evaluating against one message's properties failed (a property that is not a number compared with a number,
 * a boolean compared with a string). The broker then counts the message as not matching, as RocketMQ does.
 */
export class Sql92EvaluationError extends BrokerError {
  constructor(message: string) {
    super('BROKER_ERR_INVALID_ARGUMENT', message);
    this.name = 'Sql92EvaluationError';
  }
}
