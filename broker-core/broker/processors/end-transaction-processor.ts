/** END_TRANSACTION (37): a producer's commit / rollback / unknown for a half message, first answer or a check's. */
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { BrokerContext } from '../broker-context';
import { TRANSACTION_COMMIT_TYPE, TRANSACTION_NOT_TYPE, TRANSACTION_ROLLBACK_TYPE } from '../transaction/transactional-message-service';
import { Header } from './header';

const TYPE_NAMES: Record<number, string> = { [TRANSACTION_NOT_TYPE]: 'UNKNOW', [TRANSACTION_COMMIT_TYPE]: 'COMMIT', [TRANSACTION_ROLLBACK_TYPE]: 'ROLLBACK' };

export async function processEndTransaction(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand | null> {
  const header = new Header(request);
  const producerGroup = header.string('producerGroup');
  const type = header.int('commitOrRollback');
  const tranStateTableOffset = header.number('tranStateTableOffset');
  const commitLogOffset = header.number('commitLogOffset');
  const fromCheck = header.optBoolean('fromTransactionCheck') ?? false;
  if (!(type in TYPE_NAMES)) return createResponse(request, ResponseCode.SYSTEM_ERROR, `commitOrRollback ${type} is not COMMIT (8), ROLLBACK (12) or UNKNOW (0)`);
  if (type === TRANSACTION_NOT_TYPE) {
    ctx.logger.debug('transaction state unknown; it will be checked', { producerGroup, msgId: header.optString('msgId'), fromCheck });
    return null;
  }
  const result = await ctx.transaction.end(producerGroup, commitLogOffset, tranStateTableOffset, type);
  if (!result.ok) {
    ctx.logger.warn('END_TRANSACTION refused', { producerGroup, type: TYPE_NAMES[type], reason: result.reason, fromCheck });
    return createResponse(request, ResponseCode.SYSTEM_ERROR, result.reason);
  }
  return createResponse(request, ResponseCode.SUCCESS);
}
