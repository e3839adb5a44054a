import { sourceLabel } from '@/features/dora/utils/source-label';

describe('sourceLabel', () => {
  it('names every source a drill-down row can come from', () => {
    expect(['github', 'gitlab', 'jira', 'pagerduty', 'opsgenie', 'push'].map(sourceLabel)).toEqual([
      'GitHub',
      'GitLab',
      'Jira',
      'PagerDuty',
      'Opsgenie',
      'Push',
    ]);
  });

  it('shows an unknown source as the server names it, and a missing one as a dash', () => {
    expect(sourceLabel('GITHUB')).toBe('GitHub');
    expect(sourceLabel('bitbucket')).toBe('bitbucket');
    expect(sourceLabel(null)).toBe('—');
  });
});
