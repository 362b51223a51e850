/** Rocketdeck's RocketMQ clients: import from here. */
export { AdminClient, PERM_READ, PERM_WRITE, PERM_INHERIT, decodeOffsetMsgId } from './admin-client';
export type * from './admin-client';
export { allocateAveragely, type AllocateStrategy } from './allocate';
export { ClientInstance, type ClientOptions, type MessageQueue } from './client-instance';
export { decodeMessages, MessageProperty, MessageSysFlag, type Message, type MessageExt } from './message';
export { MessageIdGenerator, nearlyTimeOf } from './message-id';
export { Producer, selectByHash, type ProducerOptions, type SendResult, type SendStatus, type SendOptions, type MessageQueueSelector, type LocalTransactionState, type TransactionListener, type TransactionSendResult } from './producer';
export { MessageSelector } from './message-selector';
export { PushConsumer, type PushConsumerOptions, type MessageListener, type ConsumeStatus, type ConsumeFromWhere, type MessageModel } from './push-consumer';
export { PullConsumer, type PullConsumerOptions, type PullResult, type PullStatus } from './pull-consumer';
export type { SessionCredentials } from '../acl/acl-signer';
