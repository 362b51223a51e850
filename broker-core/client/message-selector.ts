/**
 * What a consumer subscribes with: a tag expression (`*`, `TagA || TagB`) or an SQL92 selector over the
 * message's properties (RocketMQ's MessageSelector.byTag / bySql). SQL92 needs a broker with
 * enablePropertyFilter; the consumer asks each broker (CHECK_CLIENT_CONFIG) when it starts.
 */
import { buildSubscriptionData, ExpressionType, sql92Subscription, type SubscriptionData } from '../broker/filter/subscription';
import { checkSql92 } from '../broker/filter/sql92';
import { BrokerError } from '../util/errors';

export interface MessageSelector {
  type: 'TAG' | 'SQL92';
  expression: string;
}

export const MessageSelector = {
  byTag: (expression = '*'): MessageSelector => ({ type: ExpressionType.TAG, expression }),
  bySql: (expression: string): MessageSelector => ({ type: ExpressionType.SQL92, expression }),
};

/** The subscription a selector (or a bare tag expression) makes; throws BROKER_ERR_INVALID_ARGUMENT when it is not valid. */
export function subscriptionOf(topic: string, selector: string | MessageSelector, subVersion = Date.now()): SubscriptionData {
  const { type, expression } = typeof selector === 'string' ? MessageSelector.byTag(selector) : selector;
  if (type === ExpressionType.SQL92) {
    const problem = checkSql92(expression);
    const data = problem === null ? sql92Subscription(topic, expression, subVersion) : null;
    if (!data) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `SQL92 selector "${expression}" is not valid: ${problem ?? 'it is empty'}`);
    return data;
  }
  const data = buildSubscriptionData(topic, expression, subVersion);
  if (!data) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `subscription expression "${expression}" is not valid (tags separated by ||)`);
  return data;
}
