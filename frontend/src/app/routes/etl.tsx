import { EtlPage } from '@/features/etl/components/etl-page';

/** `/etl`: integrations and jobs. */
export default function EtlRoute() {
  return <EtlPage />;
}
