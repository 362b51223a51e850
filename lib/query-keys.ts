/** Query-key factories: one place that names every cached server answer. */
export const queryKeys = {
  status: () => ['status'] as const,
  ops: () => ['ops'] as const,
  opsHealth: (namesrvAddr: string) => ['ops', 'health', namesrvAddr] as const,
  dashboard: (day: string) => ['dashboard', day] as const,
  cluster: {
    all: () => ['cluster'] as const,
    broker: (addr: string, view: 'status' | 'config') => ['cluster', 'broker', addr, view] as const,
  },
  topics: {
    all: () => ['topics'] as const,
    detail: (topic: string, view: 'status' | 'route' | 'config' | 'consumers') => ['topics', topic, view] as const,
  },
  consumers: {
    all: () => ['consumers'] as const,
    list: (params: Record<string, string | number>) => ['consumers', 'list', params] as const,
    detail: (group: string, view: 'connection' | 'detail' | 'config') => ['consumers', group, view] as const,
  },
  producers: (topic: string, group: string) => ['producers', topic, group] as const,
  session: () => ['session'] as const,
  audit: (params: Record<string, string | number>) => ['audit', params] as const,
  tokens: () => ['tokens'] as const,
  users: () => ['users'] as const,
  openapi: () => ['openapi'] as const,
  history: {
    all: () => ['history'] as const,
    chart: (kind: 'group' | 'topic', name: string, range: string) => ['history', 'chart', kind, name, range] as const,
    sparklines: (kind: 'group' | 'topic', names: readonly string[]) => ['history', 'sparklines', kind, names] as const,
  },

  messages: {
    all: () => ['messages'] as const,
    byTime: (topic: string, begin: number, end: number, page: number) => ['messages', 'time', topic, begin, end, page] as const,
    byKey: (topic: string, key: string) => ['messages', 'key', topic, key] as const,
    detail: (id: string, topic: string) => ['messages', 'detail', id, topic] as const,
  },
  explorer: {
    all: () => ['explorer'] as const,
    queues: (topic: string) => ['explorer', 'queues', topic] as const,
    scan: (id: string) => ['explorer', 'scan', id] as const,
    message: (topic: string, broker: string, queueId: number, queueOffset: number, msgId: string) => ['explorer', 'message', topic, broker, queueId, queueOffset, msgId] as const,
  },
};
