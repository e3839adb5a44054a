import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { describeChange, KpiCard } from '@/components/ui/kpi-card';

describe('KpiCard', () => {
  it('shows the value with its test id and raw value, the badge and the change', () => {
    render(
      <KpiCard
        title="Lead time for changes"
        value="26.5"
        unit="h"
        rawValue={26.5}
        badge={<span>High</span>}
        change={-0.25}
        direction="lower-is-better"
        testId="kpi-lead-time"
      />,
    );
    expect(screen.getByTestId('kpi-lead-time')).toHaveTextContent('26.5');
    expect(screen.getByTestId('kpi-lead-time')).toHaveAttribute('data-value', '26.5');
    expect(screen.getByText('High')).toBeInTheDocument();
    const change = screen.getByTestId('kpi-lead-time-change');
    expect(change).toHaveTextContent('▼ 25% vs previous period');
    expect(change).toHaveClass('delta--better');
    expect(change).toHaveAccessibleName('Down 25% from the previous period (better)');
  });

  it('is a toggle button when it opens a drill-down', async () => {
    const onSelect = vi.fn();
    render(<KpiCard title="Deployment frequency" value="3" testId="kpi-deployment-frequency" onSelect={onSelect} />);
    const button = screen.getByRole('button', { name: /Deployment frequency/ });
    expect(button).toHaveAttribute('aria-pressed', 'false');
    await userEvent.click(button);
    expect(onSelect).toHaveBeenCalledTimes(1);
  });

  it('judges changes by direction and handles missing data', () => {
    expect(describeChange(0.5, 'higher-is-better').tone).toBe('better');
    expect(describeChange(0.5, 'lower-is-better').tone).toBe('worse');
    expect(describeChange(null, 'lower-is-better').text).toBe('— vs previous period');
    expect(describeChange(0.001, 'lower-is-better').tone).toBe('flat');
  });
});
