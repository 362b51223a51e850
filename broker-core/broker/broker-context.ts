/** What processors see of the broker (implemented by BrokerController). */
import type { BrokerAcl } from '../acl/broker-acl';
import type { RemotingCommand } from '../protocol/remoting-command';
import type { DecodedRequest } from '../protocol/requests';
import type { RemotingConnection } from '../remoting/connection';
import type { HostAddress, MessageStore } from '../store/message-store';
import type { Logger } from '../util/logger';
import type { BrokerConfig } from './broker-config';
import type { ConsumerManager, ProducerManager, RebalanceLockManager } from './groups/consumer-manager';
import type { SubscriptionGroupManager } from './groups/subscription-group-manager';
import type { PullRequestHoldService } from './long-polling/pull-request-hold-service';
import type { ConsumerOffsetManager } from './offsets/consumer-offset-manager';
import type { BrokerMetrics } from './metrics/broker-metrics';
import type { BrokerStats } from './stats/broker-stats';
import type { TopicConfigManager } from './topics/topic-config-manager';
import type { TransactionalMessageService } from './transaction/transactional-message-service';
import type { PopService } from './pop/pop-service';
import type { TimerMessageService } from './timer/timer-message-service';

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly store: MessageStore;
  readonly logger: Logger;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly lockManager: RebalanceLockManager;
  readonly stats: BrokerStats;
  readonly metrics: BrokerMetrics;
  readonly holdService: PullRequestHoldService;
  readonly transaction: TransactionalMessageService;
  /** POP consumption (remoting POP codes and the gRPC endpoint). */
  readonly pop: PopService;
  /** Timer messages (TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS, gRPC delivery_timestamp). */
  readonly timer: TimerMessageService;
  /** A topic's queues per broker from the NameServers (this broker's own config when they cannot say); null when unknown. */
  topicRouteQueues(topic: string): Promise<{ brokerName: string; readQueueNums: number }[] | null>;
  /** Advertised ip:port (brokerIP1 + bound listen port). */
  readonly brokerAddr: string;
  readonly storeHost: HostAddress;
  readonly bootTimestamp: number;
  /** Open client connections on the broker's ports. */
  clientConnectionCount(): number;
  /** The ACL when aclEnable is on, else null. */
  readonly acl: BrokerAcl | null;
  /** Re-register with the NameServers now (after a topic change). */
  registerBrokerAll(): void;
}

/**
 * A request processor of code C: it gets the request's one decoding (protocol/requests.ts), the same values
 * the ACL checked, and answers a response, or null for none (oneway).
 */
export type Processor<C = number> = (
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  decoded: DecodedRequest<C>,
) => Promise<RemotingCommand | null> | RemotingCommand | null;
