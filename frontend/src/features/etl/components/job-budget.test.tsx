import { render, screen, within } from '@testing-library/react';

import { JobBudget } from '@/features/etl/components/job-budget';

describe('job budget', () => {
  it('shows requests and GraphQL points spent and left', () => {
    render(<JobBudget budget={{ requests_spent: 12, points_spent: 1340, requests_left: 4988, points_left: 3660 }} />);
    const budget = screen.getByTestId('job-budget');
    expect(within(budget).getByText('API requests').nextSibling).toHaveTextContent('12 spent · 4,988 left');
    expect(within(budget).getByText('GraphQL points').nextSibling).toHaveTextContent('1,340 spent · 3,660 left');
  });

  it('leaves points out of a REST-only run and says when the source reported no remaining budget', () => {
    render(<JobBudget budget={{ requests_spent: 40, points_spent: null, requests_left: null, points_left: null }} />);
    const budget = screen.getByTestId('job-budget');
    expect(within(budget).getByText('API requests').nextSibling).toHaveTextContent('40 spent · not reported');
    expect(within(budget).queryByText('GraphQL points')).toBeNull();
  });

  it('renders nothing before the run made a request', () => {
    const { container } = render(<JobBudget budget={null} />);
    expect(container).toBeEmptyDOMElement();
  });
});
