/** Query-key factories: one place that names every cached server answer. */
export const queryKeys = {
  status: () => ['status'] as const,
  cluster: {
    all: () => ['cluster'] as const,
    broker: (addr: string, view: 'status' | 'config') => ['cluster', 'broker', addr, view] as const,
  },
  topics: {
    all: () => ['topics'] as const,
    detail: (topic: string, view: 'status' | 'route') => ['topics', topic, view] as const,
  },
};
