'use client';
/** English and Chinese for the console. The choice is kept in localStorage; English is the default. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

const en = {
  'nav.dashboard': 'Dashboard',
  'nav.cluster': 'Cluster',
  'nav.topic': 'Topic',
  'shell.namesrv': 'NameServer',
  'shell.reachable': 'reachable',
  'shell.unreachable': 'unreachable',
  'shell.brokersAlive': '{alive}/{total} brokers alive',
  'shell.noBrokers': 'no broker registered',
  'shell.theme': 'Theme',
  'shell.language': '中文',
  'shell.checking': 'checking…',
  'shell.lastSeen': 'last answer {age} ago',
  'shell.neverSeen': 'never answered',
  'common.loading': 'Loading…',
  'common.refresh': 'Refresh',
  'common.close': 'Close',
  'common.error': 'Could not reach the cluster: {message}',
  'common.none': 'Nothing here yet.',
  'dashboard.title': 'Dashboard',
  'dashboard.brokers': 'Broker overview',
  'dashboard.totalIn': 'Messages in today',
  'dashboard.totalOut': 'Messages out today',
  'dashboard.brokerCount': 'Brokers',
  'dashboard.topicCount': 'Topics',
  'cluster.title': 'Cluster',
  'cluster.cluster': 'Cluster',
  'cluster.broker': 'Broker',
  'cluster.id': 'No.',
  'cluster.addr': 'Address',
  'cluster.version': 'Version',
  'cluster.putTps': 'Produce TPS',
  'cluster.getTps': 'Consume TPS',
  'cluster.inYesterday': 'In yesterday',
  'cluster.inToday': 'In today',
  'cluster.outYesterday': 'Out yesterday',
  'cluster.outToday': 'Out today',
  'cluster.uptime': 'Uptime',
  'cluster.status': 'STATUS',
  'cluster.config': 'CONFIG',
  'cluster.down': 'not answering',
  'topic.title': 'Topic',
  'topic.filter': 'Filter by name',
  'topic.kind.ALL': 'All',
  'topic.kind.NORMAL': 'Normal',
  'topic.kind.RETRY': 'Retry',
  'topic.kind.DLQ': 'DLQ',
  'topic.kind.SYSTEM': 'System',
  'topic.add': 'Add / update topic',
  'topic.name': 'Topic',
  'topic.kind': 'Kind',
  'topic.operations': 'Operations',
  'topic.status': 'STATUS',
  'topic.route': 'ROUTER',
  'topic.delete': 'DELETE',
  'topic.clusters': 'Clusters',
  'topic.readQueues': 'Read queues',
  'topic.writeQueues': 'Write queues',
  'topic.perm': 'Permission',
  'topic.messageType': 'Message type',
  'topic.submit': 'Commit',
  'topic.created': 'Topic {topic} saved on {brokers}.',
  'topic.queue': 'Queue',
  'topic.minOffset': 'Min offset',
  'topic.maxOffset': 'Max offset',
  'topic.lastUpdated': 'Last updated',
  'topic.confirmDelete': 'Type {topic} to delete it from every broker and NameServer',
  'topic.deleted': 'Topic {topic} deleted.',
  'topic.count': '{shown} of {total} topics',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  'nav.dashboard': '驾驶舱',
  'nav.cluster': '集群',
  'nav.topic': '主题',
  'shell.namesrv': 'NameServer',
  'shell.reachable': '可连接',
  'shell.unreachable': '无法连接',
  'shell.brokersAlive': '{alive}/{total} 个 Broker 存活',
  'shell.noBrokers': '没有已注册的 Broker',
  'shell.theme': '主题色',
  'shell.language': 'English',
  'shell.checking': '检查中…',
  'shell.lastSeen': '{age} 前最后响应',
  'shell.neverSeen': '从未响应',
  'common.loading': '加载中…',
  'common.refresh': '刷新',
  'common.close': '关闭',
  'common.error': '无法连接集群：{message}',
  'common.none': '暂无数据。',
  'dashboard.title': '驾驶舱',
  'dashboard.brokers': 'Broker 概览',
  'dashboard.totalIn': '今日生产消息数',
  'dashboard.totalOut': '今日消费消息数',
  'dashboard.brokerCount': 'Broker 数',
  'dashboard.topicCount': '主题数',
  'cluster.title': '集群',
  'cluster.cluster': '集群',
  'cluster.broker': 'Broker',
  'cluster.id': '编号',
  'cluster.addr': '地址',
  'cluster.version': '版本',
  'cluster.putTps': '生产 TPS',
  'cluster.getTps': '消费 TPS',
  'cluster.inYesterday': '昨日生产总数',
  'cluster.inToday': '今日生产总数',
  'cluster.outYesterday': '昨日消费总数',
  'cluster.outToday': '今日消费总数',
  'cluster.uptime': '运行时长',
  'cluster.status': '状态',
  'cluster.config': '配置',
  'cluster.down': '无响应',
  'topic.title': '主题',
  'topic.filter': '按名称过滤',
  'topic.kind.ALL': '全部',
  'topic.kind.NORMAL': '普通',
  'topic.kind.RETRY': '重试',
  'topic.kind.DLQ': '死信',
  'topic.kind.SYSTEM': '系统',
  'topic.add': '新增 / 更新主题',
  'topic.name': '主题',
  'topic.kind': '类型',
  'topic.operations': '操作',
  'topic.status': '状态',
  'topic.route': '路由',
  'topic.delete': '删除',
  'topic.clusters': '集群',
  'topic.readQueues': '读队列数',
  'topic.writeQueues': '写队列数',
  'topic.perm': '权限',
  'topic.messageType': '消息类型',
  'topic.submit': '提交',
  'topic.created': '主题 {topic} 已保存到 {brokers}。',
  'topic.queue': '队列',
  'topic.minOffset': '最小位点',
  'topic.maxOffset': '最大位点',
  'topic.lastUpdated': '最后更新时间',
  'topic.confirmDelete': '输入 {topic} 以从所有 Broker 和 NameServer 删除',
  'topic.deleted': '主题 {topic} 已删除。',
  'topic.count': '显示 {shown} / 共 {total} 个主题',
};

export type Lang = 'en' | 'zh';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, zh };

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>('en');
  useEffect(() => {
    const saved = window.localStorage.getItem('rocketdeck.lang');
    if (saved === 'zh' || saved === 'en') setLangState(saved);
  }, []);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    window.localStorage.setItem('rocketdeck.lang', next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }, []);
  const t = useCallback(
    (key: MessageKey, vars?: Record<string, string | number>) =>
      dictionaries[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`)),
    [lang],
  );
  return <I18nContext.Provider value={{ lang, setLang, t }}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
