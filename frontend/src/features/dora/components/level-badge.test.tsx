import { render, screen } from '@testing-library/react';

import { LevelBadge } from '@/features/dora/components/level-badge';

describe('LevelBadge', () => {
  it.each([
    ['elite', 'Elite'],
    ['high', 'High'],
    ['medium', 'Medium'],
    ['low', 'Low'],
  ])('shows %s as a labelled badge', (level, label) => {
    render(<LevelBadge level={level} />);
    const badge = screen.getByLabelText(`Performance level: ${label}`);
    expect(badge).toHaveTextContent(label);
    expect(badge).toHaveClass(`badge--${level}`);
  });

  it('says "No data" for a missing or unknown level', () => {
    render(<LevelBadge level={null} />);
    expect(screen.getByText('No data')).toHaveAttribute('data-level', 'none');
  });
});
