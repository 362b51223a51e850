/** Shapes of /api/cluster answers, shared by the Dashboard and Cluster pages. */
export type { BrokerOverview, ClusterOverview } from './server/cluster-overview';
