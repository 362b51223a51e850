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
import type { DecodedRequest } from '../protocol/requests';
import type { RemotingConnection } from '../remoting/connection';
import type { Logger } from '../util/logger';
import { RateLimitedLog } from '../util/rate-limited-log';
import { parseAccessResource, validateAccess, type AccessResource, type AclDecision } from './plain-access-validator';
import { PlainPermissionManager } from './plain-permission-manager';

/** The remark prefix of a refusal, after the exception RocketMQ names in its remark. */
export const ACL_REMARK_PREFIX = 'AclException: ';

export class BrokerAcl {
  readonly manager: PlainPermissionManager;
  readonly #logger: Logger;
  readonly #refusals: RateLimitedLog;
  #refusedTotal = 0;

  constructor(options: { file: string; watchIntervalMs: number; logger: Logger }) {
    this.#logger = options.logger;
    this.#refusals = new RateLimitedLog(options.logger, {
      windowMs: ACL_REFUSAL_LOG_WINDOW_MS,
      perWindowMax: ACL_REFUSALS_LOGGED_PER_WINDOW_MAX,
      summary: (suppressed) => ({
        message: `${suppressed} more requests refused by the ACL (not logged one by one; at most ${ACL_REFUSALS_LOGGED_PER_WINDOW_MAX} per ${ACL_REFUSAL_LOG_WINDOW_MS / 1000} s)`,
        fields: { refusedTotal: this.#refusedTotal },
      }),
    });
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
    this.#refusals.flush();
  }

  /** `decoded` is the request's one decoding (the processor executes the same values), or the error it raised. */
  check(request: RemotingCommand, connection: RemotingConnection, decoded: DecodedRequest | Error): RemotingCommand | null {
    const resource = parseAccessResource(request, connection.remoteAddress, decoded);
    const decision = validateAccess(this.manager.acl, resource);
    if (decision.allowed) return null;
    this.#refusedTotal++;
    this.#logRefusal(requestCodeName(request.code), connection.remoteAddress, resource.accessKey, decision.reason);
    return createResponse(request, ResponseCode.NO_PERMISSION, ACL_REMARK_PREFIX + decision.reason);
  }

  /** Decides a resource another protocol read (the gRPC endpoint's calls), counting and logging refusals as check() does. */
  decide(resource: AccessResource, what: string, remoteAddress: string): AclDecision {
    const decision = validateAccess(this.manager.acl, resource);
    if (!decision.allowed) {
      this.#refusedTotal++;
      this.#logRefusal(what, remoteAddress, resource.accessKey, decision.reason);
    }
    return decision;
  }

  #logRefusal(what: string, remoteAddress: string, accessKey: string | undefined, reason: string): void {
    this.#refusals.warn('request refused by the ACL', { request: what, from: remoteAddress, accessKey: accessKey ?? null, reason });
  }
}
