/** Shapes of /api/cluster and /api/ops/health answers, shared by the Dashboard, Cluster and OPS pages. */
export type { BrokerOverview, ClusterOverview, DepartedBroker } from './server/cluster-overview';
export type { ClusterHealth } from './server/cluster-health';
export type { NamesrvProbe } from '@broker/client/admin-client';
