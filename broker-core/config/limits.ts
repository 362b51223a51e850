/**
 * Every bound in one place, each with the reason it exists. Exceeding one yields SYSTEM_BUSY,
 * a coded LimitExceededError, or a closed connection for framing faults.
 * Append new limits at the end of the section they belong to.
 */

// ---- protocol ----
/** RocketMQ's default frame limit (NettyDecoder FRAME_MAX_LENGTH), counted including the 4-byte length prefix. */
export const FRAME_BYTES_MAX = 16 * 1024 * 1024;

// ---- remoting ----
/** Requests one client connection may have awaiting a response before new ones fail fast. */
export const INFLIGHT_REQUESTS_MAX = 4096;
/** Requests a server processes concurrently per connection before answering SYSTEM_BUSY. */
export const SERVER_PENDING_REQUESTS_PER_CONNECTION_MAX = 8192;
/** Bytes queued in a socket's write buffer before the server stops reading that connection. */
export const SOCKET_WRITE_BUFFER_BYTES_MAX = 32 * 1024 * 1024;
/** Default timeout for a request when the caller gives none. */
export const REQUEST_TIMEOUT_MS_DEFAULT = 3_000;

// ---- message ----
/** RocketMQ's maxMessageSize default. */
export const MESSAGE_BODY_BYTES_MAX = 4 * 1024 * 1024;
/** Properties string limit (stored as a 2-byte length; RocketMQ rejects above Short.MAX_VALUE). */
export const MESSAGE_PROPERTIES_BYTES_MAX = 32_767;
/** Topic name limit (TopicValidator). Retry and DLQ topics may be longer (255). */
export const TOPIC_NAME_CHARS_MAX = 127;
export const SYSTEM_TOPIC_NAME_CHARS_MAX = 255;
/** Consumer / producer group name limit. */
export const GROUP_NAME_CHARS_MAX = 255;
/** Characters allowed in topic and group names. */
export const NAME_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

// ---- namesrv ----
/** A broker silent for this long is removed with its routes. */
export const BROKER_CHANNEL_EXPIRED_MS = 120_000;
/** How often the NameServer scans for silent brokers. */
export const NAMESRV_SCAN_INTERVAL_MS = 10_000;

// ---- broker ----
/** Seconds of per-second history kept by each stats ring buffer (covers the 600 s TPS window). */
export const STATS_RING_SECONDS = 601;
/** Distinct topic / topic@group stats counters kept; more are counted nowhere. */
export const STATS_KEYS_MAX = 10_000;
/** Pull requests held for long polling at once (all queues); beyond it a pull is answered PULL_NOT_FOUND at once. */
export const HELD_PULL_REQUESTS_MAX = 10_000;
/** Longest a pull is held, whatever the client asks for. */
export const HELD_PULL_TIMEOUT_MS_MAX = 60_000;
/** Held pulls are re-checked this often even without an arrival notice. */
export const HELD_PULL_RECHECK_INTERVAL_MS = 5_000;
/** Messages one pull may return. */
export const PULL_MESSAGES_MAX = 32;
/** Bytes one pull may return. */
export const PULL_BYTES_MAX = 256 * 1024;
/** Orderly-consumption queue lock lifetime without renewal. */
export const REBALANCE_LOCK_MAX_LIVE_MS = 60_000;
/** Timeout for requests the broker forwards to a client (GET_CONSUMER_RUNNING_INFO, CONSUME_MESSAGE_DIRECTLY). */
export const BROKER_TO_CLIENT_TIMEOUT_MS = 5_000;
/** REGISTER_BROKER timeout. */
export const REGISTER_BROKER_TIMEOUT_MS = 24_000;
/** Messages QUERY_MESSAGE returns at most. */
export const QUERY_MESSAGE_MAX = 64;
/** How often the delay-level scheduler looks for due messages. */
export const SCHEDULE_TICK_MS = 200;
/** Scheduled messages read per level per tick. */
export const SCHEDULE_BATCH_MESSAGES_MAX = 32;

// ---- acl ----
/** Refused requests logged one by one per window; the rest of the window's refusals are counted in one line. */
export const ACL_REFUSALS_LOGGED_PER_WINDOW_MAX = 10;
/** The window of ACL_REFUSALS_LOGGED_PER_WINDOW_MAX. */
export const ACL_REFUSAL_LOG_WINDOW_MS = 10_000;
