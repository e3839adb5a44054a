import { DoraDashboard } from '@/features/dora/components/dora-dashboard';

/** `/`: the DORA dashboard. */
export default function DoraRoute() {
  return <DoraDashboard />;
}
