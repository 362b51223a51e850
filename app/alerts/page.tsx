'use client';
/** Alerts: rules evaluated by the collector, alerts pending or firing, history and webhook deliveries. */
import { AlertsView } from '@/components/alerts/alerts-view';

export default function AlertsPage() {
  return <AlertsView />;
}
