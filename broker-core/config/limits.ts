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
/**
 * Bytes of not-yet-complete frames all connections of one server may hold together. One connection may hold up
 * to FRAME_BYTES_MAX; without a shared bound, many slow senders of large frames could exhaust memory. A
 * connection whose data would pass it is closed.
 */
export const SERVER_PARTIAL_FRAME_BYTES_MAX = 512 * 1024 * 1024;
/** Default timeout for a request when the caller gives none. */
export const REQUEST_TIMEOUT_MS_DEFAULT = 3_000;
/**
 * A server connection with neither reads nor writes for this long is closed (RocketMQ's
 * serverChannelMaxIdleTimeSeconds, 120 s). Live clients heartbeat every 30 s; a peer that vanished without
 * closing its socket (host down, process frozen) would otherwise hold a descriptor and its buffers forever.
 */
export const SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT = 120_000;

// ---- message ----
/** RocketMQ's maxMessageSize default. */
export const MESSAGE_BODY_BYTES_MAX = 4 * 1024 * 1024;
/** Properties string limit (stored as a 2-byte length; RocketMQ rejects above Short.MAX_VALUE). */
export const MESSAGE_PROPERTIES_BYTES_MAX = 32_767;
/** Topic name limit (TopicValidator). Retry and DLQ topics may be longer (255). */
export const TOPIC_NAME_CHARS_MAX = 127;
export const SYSTEM_TOPIC_NAME_CHARS_MAX = 255;
/** Read or write queues of one topic (and retry queues of a group): more would make every per-queue loop a stall. */
export const TOPIC_QUEUE_NUMS_MAX = 1024;
/** Consumer / producer group name limit. */
export const GROUP_NAME_CHARS_MAX = 255;
/** Characters allowed in topic and group names. */
export const NAME_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
/** Compiled SQL92 selectors the broker keeps (one per distinct expression text; least recently used go first). */
export const SQL92_COMPILED_CACHE_MAX = 1024;

// ---- console: message explorer and live tail (lib/server/explorer) ----
/** Messages one explorer scan reads at most (the form's default is lower). */
export const EXPLORER_SCAN_MESSAGES_MAX = 1_000_000;
/** Longest one explorer scan runs. */
export const EXPLORER_SCAN_TIME_MS_MAX = 60_000;
/** Matching messages one scan keeps and returns (rows: summary and a short preview, no whole bodies). */
export const EXPLORER_RESULTS_MAX = 500;
/** "Newest N": the last N messages of each queue, at most this many. */
export const EXPLORER_NEWEST_PER_QUEUE_MAX = 100_000;
/** Pulls one scan has in flight at once (different queues). */
export const EXPLORER_PULLS_IN_FLIGHT_MAX = 4;
/** Scans running at once in one console; another is refused until one ends. */
export const EXPLORER_SCANS_RUNNING_MAX = 4;
/** Scans (running or finished) the console remembers; the oldest finished one is forgotten first. */
export const EXPLORER_SCANS_KEPT_MAX = 32;
/** A running scan nobody asked about for this long is cancelled (the browser went away). */
export const EXPLORER_SCAN_ABANDONED_MS = 20_000;
/** A finished scan's results are kept this long for its page to read. */
export const EXPLORER_SCAN_KEPT_MS = 5 * 60_000;
/** Longest a body regex may take over one pulled batch before the scan stops ("catastrophic regex"). */
export const EXPLORER_REGEX_BATCH_TIME_MS_MAX = 2_000;
/** Characters of a body regex, a body substring, or a JSON filter. */
export const EXPLORER_FILTER_CHARS_MAX = 512;
/** Live tails open at once in one console (each holds one pull per queue on its own connection). */
export const TAIL_SESSIONS_MAX = 16;
/** Messages a live tail forwards to the browser per second at most; the rest are counted as skipped. */
export const TAIL_RATE_PER_SECOND_MAX = 500;
/** How long a tail's pull waits at the broker for a new message (long polling). */
export const TAIL_PULL_SUSPEND_MS = 15_000;
/** Messages a tail reads behind a queue's end at most; a larger backlog (after a long pause) is jumped and counted as skipped. */
export const TAIL_BACKLOG_PER_QUEUE_MAX = 2_000;
/** Queues one tail or scan may read (bounds the pulls held for one browser). */
export const EXPLORER_QUEUES_MAX = 256;

// ---- namesrv ----
/** A broker silent for this long is removed with its routes. */
export const BROKER_CHANNEL_EXPIRED_MS = 120_000;
/** How often the NameServer scans for silent brokers. */
export const NAMESRV_SCAN_INTERVAL_MS = 10_000;

// ---- broker ----
/** Bounds of registerNameServerPeriod (RocketMQ clamps it the same way): often enough to stay far from the
 * 120 s expiry, rarely enough not to flood NameServers with full topic tables. */
export const REGISTER_NAMESRV_PERIOD_MS_MIN = 10_000;
export const REGISTER_NAMESRV_PERIOD_MS_MAX = 60_000;
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
/** Messages one POP may return (RocketMQ refuses more than 32 with INVALID_PARAMETER). */
export const POP_BATCH_MESSAGES_MAX = 32;
/** Popped messages in flight (not acked yet) on one broker; beyond it a POP answers SYSTEM_BUSY (~300 bytes each). */
export const POP_INFLIGHT_MESSAGES_MAX = 200_000;
/** POP requests held for long polling at once (RocketMQ maxPopPollingSize). */
export const POP_POLLING_REQUESTS_MAX = 100_000;
/** POP requests held per topic (RocketMQ popPollingSize); beyond it POLLING_FULL. */
export const POP_POLLING_PER_TOPIC_MAX = 1024;
/** Long polling of a POP that asks to wait, clamped as the Apache Proxy does (5-20 s). */
export const POP_POLL_MS_MIN = 5_000;
export const POP_POLL_MS_MAX = 20_000;
/** How often due invisible times are looked for (the revive precision). */
export const POP_REVIVE_TICK_MS = 200;
/** How often the POP checkpoint (oldest revive-log record still needed) is written. */
export const POP_CHECKPOINT_INTERVAL_MS = 5_000;
/** Timer messages waiting in memory (~100 bytes each); beyond it a timer send is refused (RocketMQ's timer flow control). */
export const TIMER_PENDING_MESSAGES_MAX = 2_000_000;
/** How often due timer messages are looked for (their precision, well under RocketMQ's 1 s timerPrecisionMs). */
export const TIMER_TICK_MS = 100;
/** Timer-queue entries read per store read while indexing. */
export const TIMER_SCAN_BATCH_MESSAGES = 256;
/** How often the timer checkpoint is written (what a kill -9 may deliver twice). */
export const TIMER_CHECKPOINT_INTERVAL_MS = 2_000;

// ---- console: lag and throughput history (lib/server/history-store.ts) ----
/** Days of history kept (ROCKETDECK_HISTORY_DAYS overrides); older day folders are deleted. */
export const HISTORY_RETENTION_DAYS = 7;
/** Bytes the history folder may hold in all (ROCKETDECK_HISTORY_MAX_MB overrides); the oldest days go first, then today's series stop. */
export const HISTORY_BYTES_MAX = 1024 * 1024 * 1024;
/** Topics, and separately groups, written per sample; the rest of a sample is counted as dropped. */
export const HISTORY_SERIES_PER_SAMPLE_MAX = 20_000;
/** Points one chart gets at most (samples are averaged into this many time buckets). */
export const HISTORY_CHART_POINTS_MAX = 360;
/** Names one sparkline request may ask for (a page of a list). */
export const HISTORY_SPARKLINE_NAMES_MAX = 200;
/** Topics whose queue offsets one collector sample reads with GET_TOPIC_STATS_INFO (those no group consumes). */
export const HISTORY_TOPIC_STATS_PER_SAMPLE_MAX = 20_000;
/** GET_TOPIC_STATS_INFO calls one collector sample keeps in flight. */
export const HISTORY_TOPIC_STATS_IN_FLIGHT_MAX = 16;

// ---- console: export / import of topics and groups (lib/server/config-io.ts) ----
/** Size of a document the import reads (an export of 10,000 topics and 2,000 groups is about 2.5 MiB of YAML). */
export const CONFIG_DOCUMENT_BYTES_MAX = 8 * 1024 * 1024;
/** Topics, and separately groups, one document may hold. */
export const CONFIG_ENTRIES_MAX = 20_000;
/** Field errors reported for one document (the rest are counted). */
export const CONFIG_ERRORS_MAX = 200;

// ---- acl ----
/** Refused requests logged one by one per window; the rest of the window's refusals are counted in one line. */
export const ACL_REFUSALS_LOGGED_PER_WINDOW_MAX = 10;
/** The window of ACL_REFUSALS_LOGGED_PER_WINDOW_MAX. */
export const ACL_REFUSAL_LOG_WINDOW_MS = 10_000;
/** Requests refused for a malformed header that are logged one by one per window (the rest are counted). */
export const BAD_REQUESTS_LOGGED_PER_WINDOW_MAX = 10;
/** The window of BAD_REQUESTS_LOGGED_PER_WINDOW_MAX. */
export const BAD_REQUEST_LOG_WINDOW_MS = 10_000;

// ---- Prometheus metrics (broker-core/broker/metrics, lib/server/prometheus.ts) ----
/**
 * How long the console's /metrics reuses one read of its cluster (three requests per master): scrapes closer
 * together than this (several Prometheus servers, a curl beside one) cost the brokers nothing more.
 */
export const PROMETHEUS_SCRAPE_CACHE_MS = 5_000;

// ---- gRPC endpoint (broker-core/grpc, RocketMQ 5.x clients) ----
/** Routes, topic types and group configs are re-read from the NameServers / brokers after this long. */
export const GRPC_ROUTE_CACHE_MS = 3_000;
/** Topics (and groups) whose route / config the endpoint caches at once; the oldest entry goes first (clients can ask for any name). */
export const GRPC_ROUTE_CACHE_ENTRIES_MAX = 10_000;
/** Largest gRPC message the endpoint accepts (the Apache Proxy's grpcMaxInboundMessageSize is 130 MiB; a send
 * carries at most maxMessageSize of body, so 16 MiB leaves room for properties and batches). */
export const GRPC_INBOUND_MESSAGE_BYTES_MAX = 16 * 1024 * 1024;
/** Timeout of a request the endpoint sends a broker over TCP (proxy mode, other brokers of the cluster). */
export const GRPC_BROKER_REQUEST_TIMEOUT_MS = 3_000;
/** A client with no call and no open Telemetry stream for this long is forgotten (and unregistered from brokers). */
export const GRPC_CLIENT_IDLE_MS = 120_000;
/** gRPC clients the endpoint keeps sessions for; a new client beyond it is refused TOO_MANY_REQUESTS. */
export const GRPC_CLIENTS_MAX = 10_000;
/** Messages one SendMessage request may carry. */
export const GRPC_SEND_MESSAGES_PER_REQUEST_MAX = 1_024;
/** Longest delivery delay a send may ask for (RocketMQ's timerMaxDelaySec, 3 days). */
export const GRPC_DELIVERY_DELAY_MS_MAX = 3 * 24 * 3600 * 1000;
/** Messages of one receive, whatever batch_size asks (the Apache Proxy's long-polling batch, 32). */
export const GRPC_RECEIVE_BATCH_MAX = 32;
/** Long polling bounds of ReceiveMessage (the Apache Proxy's grpcClientConsumerMin/MaxLongPollingTimeoutMillis). */
export const GRPC_LONG_POLLING_MS_MIN = 5_000;
export const GRPC_LONG_POLLING_MS_MAX = 20_000;
/** Invisible duration bounds (the Apache Proxy's minInvisibleTimeMillsForRecv and maxInvisibleTimeMills). */
export const GRPC_INVISIBLE_MS_MIN = 10_000;
export const GRPC_INVISIBLE_MS_MAX = 12 * 3600 * 1000;

// ---- console: alerts (lib/server/alerts) ----
/** How long one webhook delivery may take (a slow receiver delays the next evaluation by at most this per event). */
export const ALERT_WEBHOOK_TIMEOUT_MS = 5_000;
/** Alert rules one console keeps. */
export const ALERT_RULES_MAX = 200;
/** Alerts (rule × subject) tracked at once; a `*` rule over more subjects tracks the first ones. */
export const ALERT_ACTIVE_MAX = 1_000;
/** Bytes of alert history (events.jsonl) before it is cut to its newer half. */
export const ALERT_EVENTS_FILE_BYTES_MAX = 2 * 1024 * 1024;
/** Events the Alerts page reads at most. */
export const ALERT_EVENTS_READ_MAX = 500;
/** Samples before the newest that a TPS-drop rule averages as its baseline. */
export const ALERT_TPS_BASELINE_SAMPLES = 5;
