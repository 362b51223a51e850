/**
 * An AdminClient that reads a Rocketdeck broker the way it would read an Apache RocketMQ broker: its
 * GET_ALL_TOPIC_CONFIG answer without Rocketdeck's topicMaxOffsetTable (RocketMQ ignores the request field),
 * and a count of the GET_TOPIC_STATS_INFO calls a collector then needs. For the collector's fallback test and bench.
 */
import { AdminClient, type TopicConfig } from '../client/admin-client';

export class RocketMQLikeAdmin extends AdminClient {
  topicStatsCalls = 0;

  override async getAllTopicConfigWithMaxOffsets(brokerAddr: string): Promise<{ configs: Record<string, TopicConfig>; maxOffsets: Map<string, number> | null }> {
    return { configs: await this.getAllTopicConfig(brokerAddr), maxOffsets: null };
  }

  override getTopicStats(brokerAddr: string, topic: string): ReturnType<AdminClient['getTopicStats']> {
    this.topicStatsCalls++;
    return super.getTopicStats(brokerAddr, topic);
  }
}
