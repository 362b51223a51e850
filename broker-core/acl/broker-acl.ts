/**
 * The broker's ACL hook (RocketMQ registers PlainAccessValidator as an RPC hook run before every request):
 * check(request, connection) answers NO_PERMISSION (16) with the reason as remark, or null to go on.
 * RocketMQ 4.9 answers an AclException with SYSTEM_ERROR; RocketMQ 5 and Rocketdeck answer NO_PERMISSION.
 * Refusals are logged, at most ACL_REFUSALS_LOGGED_PER_WINDOW_MAX a window, the rest counted in one line.
 */
import { ACL_REFUSAL_LOG_WINDOW_MS, ACL_REFUSALS_LOGGED_PER_WINDOW_MAX } from '../config/limits';
import { requestCodeName } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { createResponse, type RemotingCommand } from '../protocol/remoting-command';
import type { RemotingConnection } from '../remoting/connection';
import type { Logger } from '../util/logger';
import { parseAccessResource, validateAccess } from './plain-access-validator';
import { PlainPermissionManager } from './plain-permission-manager';

/** The remark prefix of a refusal, after the exception RocketMQ names in its remark. */
export const ACL_REMARK_PREFIX = 'AclException: ';

export class BrokerAcl {
  readonly manager: PlainPermissionManager;
  readonly #logger: Logger;
  #refusedTotal = 0;
  #windowStartedMs = 0;
  #loggedInWindow = 0;
  #suppressedInWindow = 0;
  #summaryTimer: NodeJS.Timeout | undefined;

  constructor(options: { file: string; watchIntervalMs: number; logger: Logger }) {
    this.#logger = options.logger;
    this.manager = new PlainPermissionManager({ file: options.file, logger: options.logger, watchIntervalMs: options.watchIntervalMs });
  }

  /** Requests refused since start. */
  get refusedTotal(): number {
    return this.#refusedTotal;
  }

  start(): void {
    this.manager.load();
    this.manager.startWatching();
  }

  shutdown(): void {
    this.manager.stopWatching();
    if (this.#summaryTimer) {
      clearTimeout(this.#summaryTimer);
      this.#logSummary();
    }
  }

  check(request: RemotingCommand, connection: RemotingConnection): RemotingCommand | null {
    const resource = parseAccessResource(request, connection.remoteAddress);
    const decision = validateAccess(this.manager.acl, resource);
    if (decision.allowed) return null;
    this.#refusedTotal++;
    this.#logRefusal(request, connection, resource.accessKey, decision.reason);
    return createResponse(request, ResponseCode.NO_PERMISSION, ACL_REMARK_PREFIX + decision.reason);
  }

  #logRefusal(request: RemotingCommand, connection: RemotingConnection, accessKey: string | undefined, reason: string): void {
    const now = Date.now();
    if (now - this.#windowStartedMs >= ACL_REFUSAL_LOG_WINDOW_MS) {
      this.#windowStartedMs = now;
      this.#loggedInWindow = 0;
    }
    if (this.#loggedInWindow < ACL_REFUSALS_LOGGED_PER_WINDOW_MAX) {
      this.#loggedInWindow++;
      this.#logger.warn('request refused by the ACL', { request: requestCodeName(request.code), from: connection.remoteAddress, accessKey: accessKey ?? null, reason });
      return;
    }
    this.#suppressedInWindow++;
    this.#summaryTimer ??= setTimeout(() => this.#logSummary(), this.#windowStartedMs + ACL_REFUSAL_LOG_WINDOW_MS - now).unref();
  }

  #logSummary(): void {
    this.#summaryTimer = undefined;
    if (this.#suppressedInWindow === 0) return;
    this.#logger.warn(`${this.#suppressedInWindow} more requests refused by the ACL (not logged one by one; at most ${ACL_REFUSALS_LOGGED_PER_WINDOW_MAX} per ${ACL_REFUSAL_LOG_WINDOW_MS / 1000} s)`, { refusedTotal: this.#refusedTotal });
    this.#suppressedInWindow = 0;
  }
}
