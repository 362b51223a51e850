/** Online clients: consumer groups (subscriptions, members) and producer groups, bound to connections. */
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { SubscriptionData } from '../filter/subscription';

export interface ClientChannelInfo {
  connection: RemotingConnection;
  clientId: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
  /**
   * Set for clients of the 5.x gRPC API (the gRPC endpoint says so in its heartbeats): 'gRPC', the client's own
   * version text ("1.0.8") and, behind `rocketdeck proxy`, the client's address (the connection's is the proxy's).
   */
  protocol?: string;
  clientVersion?: string;
  clientAddr?: string;
}

/** A client as GET_CONSUMER_CONNECTION_LIST / GET_PRODUCER_CONNECTION_LIST describe it (RocketMQ's Connection, plus protocol fields for gRPC clients). */
export function connectionJson(c: ClientChannelInfo): Record<string, string | number> {
  const json: Record<string, string | number> = { clientAddr: c.clientAddr ?? c.connection.remoteAddress, clientId: c.clientId, language: c.language, version: c.version };
  if (c.protocol) json.protocol = c.protocol;
  if (c.clientVersion) json.clientVersion = c.clientVersion;
  return json;
}

export interface ConsumerGroupInfo {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  channels: Map<string, ClientChannelInfo>; // by connection id
  subscriptionTable: Map<string, SubscriptionData>;
  lastUpdateTimestamp: number;
}

export type ConsumerChangeListener = (group: string, channels: ClientChannelInfo[]) => void;

export class ConsumerManager {
  readonly groups = new Map<string, ConsumerGroupInfo>();

  constructor(private readonly onIdsChanged: ConsumerChangeListener, private readonly now: () => number = Date.now) {}

  /** Registers a consumer; returns true when group membership changed. */
  register(
    group: string,
    channel: Omit<ClientChannelInfo, 'lastUpdateTimestamp'>,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
    subscriptions: SubscriptionData[],
    notify: boolean,
  ): boolean {
    let info = this.groups.get(group);
    if (!info) {
      info = { groupName: group, consumeType, messageModel, consumeFromWhere, channels: new Map(), subscriptionTable: new Map(), lastUpdateTimestamp: this.now() };
      this.groups.set(group, info);
    }
    info.consumeType = consumeType;
    info.messageModel = messageModel;
    info.consumeFromWhere = consumeFromWhere;
    info.lastUpdateTimestamp = this.now();
    const existing = info.channels.get(channel.connection.id);
    const changed = !existing;
    info.channels.set(channel.connection.id, { ...channel, lastUpdateTimestamp: this.now() });
    let subsChanged = false;
    const seen = new Set<string>();
    for (const sub of subscriptions) {
      seen.add(sub.topic);
      const old = info.subscriptionTable.get(sub.topic);
      if (!old || old.subVersion < sub.subVersion || old.subString !== sub.subString) {
        info.subscriptionTable.set(sub.topic, sub);
        subsChanged = subsChanged || !!old;
      }
    }
    if (subscriptions.length > 0) {
      for (const topic of [...info.subscriptionTable.keys()]) if (!seen.has(topic)) info.subscriptionTable.delete(topic);
    }
    if ((changed || subsChanged) && notify) this.onIdsChanged(group, [...info.channels.values()]);
    return changed;
  }

  unregister(group: string, connectionId: string, notify: boolean): void {
    const info = this.groups.get(group);
    if (!info) return;
    if (!info.channels.delete(connectionId)) return;
    if (info.channels.size === 0) this.groups.delete(group);
    else if (notify) this.onIdsChanged(group, [...info.channels.values()]);
  }

  /** Removes a closed or expired connection from every group. */
  connectionGone(connectionId: string, notify: boolean): void {
    for (const group of [...this.groups.keys()]) this.unregister(group, connectionId, notify);
  }

  scanExpired(expiredMs: number): string[] {
    const expired: string[] = [];
    const deadline = this.now() - expiredMs;
    for (const info of this.groups.values()) {
      for (const channel of info.channels.values()) if (channel.lastUpdateTimestamp < deadline) expired.push(channel.connection.id);
    }
    return expired;
  }

  get(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group);
  }

  clientIds(group: string): string[] {
    const info = this.groups.get(group);
    return info ? [...new Set([...info.channels.values()].map((c) => c.clientId))] : [];
  }

  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    const info = this.groups.get(group);
    return info ? [...info.channels.values()].find((c) => c.clientId === clientId && !c.connection.closed) : undefined;
  }

  groupsByTopic(topic: string): Set<string> {
    const groups = new Set<string>();
    for (const info of this.groups.values()) if (info.subscriptionTable.has(topic)) groups.add(info.groupName);
    return groups;
  }
}

export class ProducerManager {
  readonly groups = new Map<string, Map<string, ClientChannelInfo>>();

  constructor(private readonly now: () => number = Date.now) {}

  register(group: string, channel: Omit<ClientChannelInfo, 'lastUpdateTimestamp'>): void {
    let channels = this.groups.get(group);
    if (!channels) {
      channels = new Map();
      this.groups.set(group, channels);
    }
    channels.set(channel.connection.id, { ...channel, lastUpdateTimestamp: this.now() });
  }

  unregister(group: string, connectionId: string): void {
    const channels = this.groups.get(group);
    if (!channels) return;
    channels.delete(connectionId);
    if (channels.size === 0) this.groups.delete(group);
  }

  connectionGone(connectionId: string): void {
    for (const group of [...this.groups.keys()]) this.unregister(group, connectionId);
  }

  scanExpired(expiredMs: number): string[] {
    const deadline = this.now() - expiredMs;
    const expired: string[] = [];
    for (const channels of this.groups.values()) for (const c of channels.values()) if (c.lastUpdateTimestamp < deadline) expired.push(c.connection.id);
    return expired;
  }

  channels(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  /** The open connection of a producer client (RocketMQ's ProducerManager.findChannel: request-reply answers go there). */
  findChannel(clientId: string): ClientChannelInfo | undefined {
    for (const channels of this.groups.values()) {
      for (const channel of channels.values()) if (channel.clientId === clientId && !channel.connection.closed) return channel;
    }
    return undefined;
  }
}

/** Orderly-consumption queue locks per (group, queue), owned by a clientId. */
export class RebalanceLockManager {
  readonly #locks = new Map<string, Map<string, { clientId: string; lastUpdateTimestamp: number }>>();

  constructor(private readonly lockMaxLiveMs: number, private readonly now: () => number = Date.now) {}

  tryLockBatch(group: string, mqKeys: string[], clientId: string): string[] {
    let table = this.#locks.get(group);
    if (!table) {
      table = new Map();
      this.#locks.set(group, table);
    }
    const locked: string[] = [];
    const now = this.now();
    for (const key of mqKeys) {
      const entry = table.get(key);
      if (!entry || entry.clientId === clientId || now - entry.lastUpdateTimestamp > this.lockMaxLiveMs) {
        table.set(key, { clientId, lastUpdateTimestamp: now });
        locked.push(key);
      }
    }
    return locked;
  }

  unlockBatch(group: string, mqKeys: string[], clientId: string): void {
    const table = this.#locks.get(group);
    if (!table) return;
    for (const key of mqKeys) if (table.get(key)?.clientId === clientId) table.delete(key);
  }
}
