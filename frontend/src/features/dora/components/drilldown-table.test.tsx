import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DRILLDOWNS } from '@/features/dora/components/drilldown-columns';
import { DrilldownTable } from '@/features/dora/components/drilldown-table';
import type { DeploymentRow } from '@/features/dora/types/dora';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch, type RecordedRequest } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderWithProviders } from '@/testing/test-utils';

function deployments(count: number): DeploymentRow[] {
  return Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    source: index % 2 === 0 ? 'github' : 'push',
    repository: `org/repo-${index + 1}`,
    environment: 'production',
    sha: `abcdef${index}0000`,
    status: 'success',
    finished_at: `2026-03-${String((index % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    changes: index,
    incidents: index % 3 === 0 ? 1 : 0,
    failed: index % 3 === 0,
  }));
}

const ALL = deployments(60);

/** A server that sorts and pages like the ETL drill-down route. */
function serve(request: RecordedRequest) {
  const params = request.url.searchParams;
  const sort = (params.get('sort') ?? 'id') as keyof DeploymentRow;
  const order = params.get('order') === 'desc' ? -1 : 1;
  const limit = Number(params.get('limit'));
  const offset = Number(params.get('offset'));
  const rows = [...ALL].sort((a, b) => (a[sort]! > b[sort]! ? order : a[sort]! < b[sort]! ? -order : 0));
  return { body: { items: rows.slice(offset, offset + limit), total: rows.length } };
}

/** jsdom's Blob has no text(); FileReader reads it. */
function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });
}

const FILTERS = { from: '2026-03-01', to: '2026-03-31', team_id: '4' };

function renderTable() {
  return renderWithProviders(
    <DrilldownTable kind="deployments" title="Production deployments" filters={FILTERS} {...DRILLDOWNS.deployments} />,
  );
}

describe('DrilldownTable', () => {
  beforeEach(() => setToken('tok'));

  it('asks the server for one sorted page with the filters and shows the total', async () => {
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora/deployments': serve,
    });
    renderTable();
    expect(await screen.findByText('1–25 of 60')).toBeInTheDocument();
    const call = calls.find((c) => c.url.pathname === '/api/v1/metrics/dora/deployments')!;
    expect(Object.fromEntries(call.url.searchParams)).toEqual({
      from: '2026-03-01',
      to: '2026-03-31',
      team_id: '4',
      sort: 'finished_at',
      order: 'desc',
      limit: '25',
      offset: '0',
    });
    const table = screen.getByRole('table', { name: 'Production deployments' });
    expect(within(table).getAllByRole('row')).toHaveLength(26);
  });

  it('shows where each deployment came from', async () => {
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora/deployments': serve,
    });
    renderTable();
    await screen.findByText('1–25 of 60');
    expect(screen.getByRole('columnheader', { name: /Source/ })).toBeInTheDocument();
    const rows = screen.getAllByRole('row').slice(1);
    const sources = rows.map((row) => within(row).queryByText(/^(GitHub|Push)$/)?.textContent);
    expect(new Set(sources)).toEqual(new Set(['GitHub', 'Push']));
  });

  it('sorts by a column (asc, then desc) and marks it with aria-sort', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora/deployments': serve,
    });
    renderTable();
    await screen.findByText('1–25 of 60');
    await user.click(screen.getByRole('button', { name: /Changes/ }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /Changes/ })).toHaveAttribute('aria-sort', 'ascending'));
    await waitFor(() => {
      const firstRow = screen.getAllByRole('row')[1];
      expect(within(firstRow).getByText('org/repo-1')).toBeInTheDocument();
    });
    await user.click(screen.getByRole('button', { name: /Changes/ }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /Changes/ })).toHaveAttribute('aria-sort', 'descending'));
    await waitFor(() => {
      const firstRow = screen.getAllByRole('row')[1];
      expect(within(firstRow).getByText('org/repo-60')).toBeInTheDocument();
    });
    const last = calls.filter((c) => c.url.pathname.endsWith('/deployments')).at(-1)!;
    expect(last.url.searchParams.get('sort')).toBe('changes');
    expect(last.url.searchParams.get('order')).toBe('desc');
    expect(last.url.searchParams.get('offset')).toBe('0');
  });

  it('pages forward and back', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora/deployments': serve,
    });
    renderTable();
    await screen.findByText('1–25 of 60');
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('26–50 of 60')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('51–60 of 60')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(screen.getByText('Page 3 of 3')).toBeInTheDocument();
    expect(calls.at(-1)!.url.searchParams.get('offset')).toBe('50');
    await user.selectOptions(screen.getByLabelText('Rows per page'), '100');
    expect(await screen.findByText('1–60 of 60')).toBeInTheDocument();
  });

  describe('CSV export', () => {
    let created: Blob[];
    beforeEach(() => {
      created = [];
      URL.createObjectURL = vi.fn((blob: Blob) => {
        created.push(blob);
        return 'blob:pulse';
      });
      URL.revokeObjectURL = vi.fn();
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    });

    it('downloads the server CSV for the whole filter', async () => {
      const user = userEvent.setup();
      const { calls } = installFakeFetch({
        'GET /api/v1/auth/me': { body: meResponse() },
        'GET /api/v1/metrics/dora/deployments': (request) =>
          request.url.searchParams.get('format') === 'csv'
            ? new Response('id,repository\r\n1,org/repo-1\r\n', { headers: { 'Content-Type': 'text/csv' } })
            : serve(request),
      });
      renderTable();
      await screen.findByText('1–25 of 60');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(created).toHaveLength(1));
      expect(await blobText(created[0])).toBe('id,repository\r\n1,org/repo-1\r\n');
      const csvCall = calls.find((c) => c.url.searchParams.get('format') === 'csv')!;
      expect(csvCall.url.searchParams.get('team_id')).toBe('4');
      expect(csvCall.url.searchParams.has('limit')).toBe(false);
    });

    it('builds the CSV from every JSON page when the server has no CSV', async () => {
      const user = userEvent.setup();
      installFakeFetch({
        'GET /api/v1/auth/me': { body: meResponse() },
        'GET /api/v1/metrics/dora/deployments': (request) =>
          request.url.searchParams.get('format') === 'csv'
            ? { status: 422, body: { error: { code: 'invalid', message: 'format', request_id: 'r' } } }
            : serve(request),
      });
      renderTable();
      await screen.findByText('1–25 of 60');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(created).toHaveLength(1));
      const lines = (await blobText(created[0])).trim().split('\r\n');
      expect(lines[0]).toBe('id,repository,environment,sha,status,finished_at,changes,incidents,failed,source');
      expect(new Set(lines.slice(1).map((line) => line.split(',').at(-1)))).toEqual(new Set(['github', 'push']));
      expect(lines).toHaveLength(61);
    });
  });
});
