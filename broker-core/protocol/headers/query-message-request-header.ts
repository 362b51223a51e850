/**
 * QUERY_MESSAGE (12) request header, QueryMessageRequestHeader: messages of a topic by key (or, with
 * `_UNIQUE_KEY_QUERY`, by unique message id) stored within a time range.
 *
 *   field              type     presence
 *   topic              string   required
 *   key                string   required
 *   maxNum             int      optional   required unless _UNIQUE_KEY_QUERY (then 32); at most QUERY_MESSAGE_MAX
 *   beginTimestamp     long     default 0
 *   endTimestamp       long     default Number.MAX_SAFE_INTEGER
 *   _UNIQUE_KEY_QUERY  boolean  default false   (MixAll.UNIQUE_MSG_QUERY_FLAG)
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

export const QueryMessageRequestHeader = defineHeader('QueryMessageRequestHeader', {
  topic: required.string(),
  key: required.string(),
  maxNum: optional.int(),
  beginTimestamp: withDefault.long(0),
  endTimestamp: withDefault.long(Number.MAX_SAFE_INTEGER),
  _UNIQUE_KEY_QUERY: withDefault.boolean(false),
});
export type QueryMessageRequestHeader = HeaderOf<typeof QueryMessageRequestHeader>;
