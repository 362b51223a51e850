/**
 * TypeScript views of the apache.rocketmq.v2 objects as @grpc/proto-loader hands them over with the options in
 * proto.ts (snake_case names, enums as names, int64 as numbers). Only what the server reads or writes; the
 * wire format itself comes from the upstream .proto files.
 */

export type Code =
  | 'CODE_UNSPECIFIED' | 'OK' | 'MULTIPLE_RESULTS' | 'BAD_REQUEST' | 'ILLEGAL_ACCESS_POINT' | 'ILLEGAL_TOPIC'
  | 'ILLEGAL_CONSUMER_GROUP' | 'ILLEGAL_MESSAGE_TAG' | 'ILLEGAL_MESSAGE_KEY' | 'ILLEGAL_MESSAGE_GROUP'
  | 'ILLEGAL_MESSAGE_PROPERTY_KEY' | 'INVALID_TRANSACTION_ID' | 'ILLEGAL_MESSAGE_ID' | 'ILLEGAL_FILTER_EXPRESSION'
  | 'ILLEGAL_INVISIBLE_TIME' | 'ILLEGAL_DELIVERY_TIME' | 'INVALID_RECEIPT_HANDLE' | 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE'
  | 'UNRECOGNIZED_CLIENT_TYPE' | 'MESSAGE_CORRUPTED' | 'CLIENT_ID_REQUIRED' | 'ILLEGAL_POLLING_TIME' | 'ILLEGAL_OFFSET'
  | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'MESSAGE_NOT_FOUND' | 'TOPIC_NOT_FOUND' | 'CONSUMER_GROUP_NOT_FOUND'
  | 'OFFSET_NOT_FOUND' | 'REQUEST_TIMEOUT' | 'PAYLOAD_TOO_LARGE' | 'MESSAGE_BODY_TOO_LARGE' | 'MESSAGE_BODY_EMPTY'
  | 'PRECONDITION_FAILED' | 'TOO_MANY_REQUESTS' | 'REQUEST_HEADER_FIELDS_TOO_LARGE' | 'MESSAGE_PROPERTIES_TOO_LARGE'
  | 'INTERNAL_ERROR' | 'INTERNAL_SERVER_ERROR' | 'HA_NOT_AVAILABLE' | 'NOT_IMPLEMENTED' | 'PROXY_TIMEOUT'
  | 'MASTER_PERSISTENCE_TIMEOUT' | 'SLAVE_PERSISTENCE_TIMEOUT' | 'UNSUPPORTED' | 'VERSION_UNSUPPORTED'
  | 'VERIFY_FIFO_MESSAGE_UNSUPPORTED' | 'FAILED_TO_CONSUME_MESSAGE';

export type MessageType = 'MESSAGE_TYPE_UNSPECIFIED' | 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'LITE' | 'PRIORITY';
export type Permission = 'PERMISSION_UNSPECIFIED' | 'NONE' | 'READ' | 'WRITE' | 'READ_WRITE';
export type ClientType = 'CLIENT_TYPE_UNSPECIFIED' | 'PRODUCER' | 'PUSH_CONSUMER' | 'SIMPLE_CONSUMER' | 'PULL_CONSUMER' | 'LITE_PUSH_CONSUMER' | 'LITE_SIMPLE_CONSUMER';
export type FilterType = 'FILTER_TYPE_UNSPECIFIED' | 'TAG' | 'SQL';
export type Encoding = 'ENCODING_UNSPECIFIED' | 'IDENTITY' | 'GZIP';
export type DigestType = 'DIGEST_TYPE_UNSPECIFIED' | 'CRC32' | 'MD5' | 'SHA1';
export type AddressScheme = 'ADDRESS_SCHEME_UNSPECIFIED' | 'IPv4' | 'IPv6' | 'DOMAIN_NAME';
export type Language = 'LANGUAGE_UNSPECIFIED' | 'JAVA' | 'CPP' | 'DOT_NET' | 'GOLANG' | 'RUST' | 'PYTHON' | 'PHP' | 'NODE_JS' | 'RUBY' | 'OBJECTIVE_C' | 'DART' | 'KOTLIN';
export type TransactionResolution = 'TRANSACTION_RESOLUTION_UNSPECIFIED' | 'COMMIT' | 'ROLLBACK';
export type TransactionSource = 'SOURCE_UNSPECIFIED' | 'SOURCE_CLIENT' | 'SOURCE_SERVER_CHECK';
export type QueryOffsetPolicy = 'BEGINNING' | 'END' | 'TIMESTAMP';

export interface Status { code: Code; message: string }
export interface Timestamp { seconds: number; nanos: number }
export interface Duration { seconds: number; nanos: number }
export interface Resource { resource_namespace: string; name: string }
export interface Address { host: string; port: number }
export interface Endpoints { scheme: AddressScheme; addresses: Address[] }
export interface Broker { name: string; id: number; endpoints: Endpoints | null }
export interface MessageQueue { topic: Resource | null; id: number; permission: Permission; broker: Broker | null; accept_message_types: MessageType[] }
export interface FilterExpression { type: FilterType; expression: string }
export interface Digest { type: DigestType; checksum: string }

export interface SystemProperties {
  tag?: string;
  keys: string[];
  message_id: string;
  body_digest: Digest | null;
  body_encoding: Encoding;
  message_type: MessageType;
  born_timestamp: Timestamp | null;
  born_host: string;
  store_timestamp?: Timestamp;
  store_host: string;
  delivery_timestamp?: Timestamp;
  receipt_handle?: string;
  queue_id: number;
  queue_offset?: number;
  invisible_duration?: Duration;
  delivery_attempt?: number;
  message_group?: string;
  trace_context?: string;
  orphaned_transaction_recovery_duration?: Duration;
  dead_letter_queue?: { topic: string; message_id: string };
  lite_topic?: string;
  priority?: number;
}

export interface Message {
  topic: Resource | null;
  user_properties: Record<string, string>;
  system_properties: SystemProperties | null;
  body: Buffer;
}

export interface ExponentialBackoff { initial: Duration; max: Duration; multiplier: number }
export interface RetryPolicy { max_attempts: number; exponential_backoff?: ExponentialBackoff; customized_backoff?: { next: Duration[] } }
export interface Publishing { topics: Resource[]; max_body_size: number; validate_message_type: boolean }
export interface SubscriptionEntry { topic: Resource | null; expression: FilterExpression | null }
export interface Subscription {
  group?: Resource;
  subscriptions: SubscriptionEntry[];
  fifo?: boolean;
  receive_batch_size?: number;
  long_polling_timeout?: Duration;
}
export interface UA { language: Language; version: string; platform: string; hostname: string }
export interface Settings {
  client_type?: ClientType;
  access_point?: Endpoints;
  backoff_policy?: RetryPolicy;
  request_timeout?: Duration;
  pub_sub?: 'publishing' | 'subscription';
  publishing?: Publishing | null;
  subscription?: Subscription | null;
  user_agent: UA | null;
  metric?: { on: boolean } | null;
}

export interface TelemetryCommand {
  status?: Status;
  command?: string;
  settings?: Settings | null;
  thread_stack_trace?: { nonce: string; thread_stack_trace?: string } | null;
  verify_message_result?: { nonce: string } | null;
  recover_orphaned_transaction_command?: { message: Message; transaction_id: string } | null;
}

export interface QueryRouteRequest { topic: Resource | null; endpoints: Endpoints | null }
export interface HeartbeatRequest { group?: Resource; client_type: ClientType }
export interface SendMessageRequest { messages: Message[] }
export interface SendResultEntry { status: Status; message_id: string; transaction_id: string; offset: number; recall_handle: string }
export interface QueryAssignmentRequest { topic: Resource | null; group: Resource | null; endpoints: Endpoints | null }
export interface ReceiveMessageRequest {
  group: Resource | null;
  message_queue: MessageQueue | null;
  filter_expression: FilterExpression | null;
  batch_size: number;
  invisible_duration?: Duration;
  auto_renew: boolean;
  long_polling_timeout?: Duration;
  attempt_id?: string;
}
export interface AckMessageEntry { message_id: string; receipt_handle: string; lite_topic?: string }
export interface AckMessageRequest { group: Resource | null; topic: Resource | null; entries: AckMessageEntry[] }
export interface ForwardMessageToDeadLetterQueueRequest {
  group: Resource | null;
  topic: Resource | null;
  receipt_handle: string;
  message_id: string;
  delivery_attempt: number;
  max_delivery_attempts: number;
}
export interface EndTransactionRequest {
  topic: Resource | null;
  message_id: string;
  transaction_id: string;
  resolution: TransactionResolution;
  source: TransactionSource;
  trace_context: string;
}
export interface NotifyClientTerminationRequest { group?: Resource }
export interface ChangeInvisibleDurationRequest {
  group: Resource | null;
  topic: Resource | null;
  receipt_handle: string;
  invisible_duration: Duration | null;
  message_id: string;
}
export interface PullMessageRequest {
  group: Resource | null;
  message_queue: MessageQueue | null;
  offset: number;
  batch_size: number;
  filter_expression: FilterExpression | null;
  long_polling_timeout: Duration | null;
}
export interface UpdateOffsetRequest { group: Resource | null; message_queue: MessageQueue | null; offset: number }
export interface GetOffsetRequest { group: Resource | null; message_queue: MessageQueue | null }
export interface QueryOffsetRequest { message_queue: MessageQueue | null; query_offset_policy: QueryOffsetPolicy; timestamp?: Timestamp }
export interface RecallMessageRequest { topic: Resource | null; recall_handle: string }
