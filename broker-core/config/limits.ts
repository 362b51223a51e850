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
