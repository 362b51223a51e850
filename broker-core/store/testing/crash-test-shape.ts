/** What the crash-test writer appends, shared with the test that verifies it. */
export const CRASH_TEST_TOPIC = 'CrashTopic';
export const CRASH_TEST_QUEUES = 4;
/** Small files so that kills land near rolls and blank padding too. */
export const CRASH_TEST_STORE_OPTIONS = { commitLogFileBytes: 256 * 1024, consumeQueueEntriesPerFile: 1000, indexHashSlotNum: 1024, indexNum: 20_000 };

/** A body whose length and content follow from its sequence number, so a reader can check it exactly. */
export function crashTestBody(seq: number): Buffer {
  const length = 40 + ((seq * 7919) % 3000);
  const body = Buffer.alloc(length, (seq % 251) + 1);
  body.write(`seq:${seq}:`, 0);
  return body;
}
