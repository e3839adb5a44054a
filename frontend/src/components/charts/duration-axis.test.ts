import { withChartDefaults } from '@/components/charts/chart-defaults';
import { durationAxis, durationScale, formatDurationTick, maxOf } from '@/components/charts/duration-axis';

function ticks(maxHours: number): string[] {
  const axis = durationAxis(maxHours);
  const labels: string[] = [];
  for (let value = 0; value <= axis.max + 1e-9; value += axis.interval) labels.push(axis.axisLabel.formatter(value));
  return labels;
}

describe('duration axis', () => {
  it('labels the whole axis in one unit: minutes, hours below three days, days above', () => {
    expect(ticks(0.4)).toEqual(['0', '5 min', '10 min', '15 min', '20 min', '25 min']);
    expect(ticks(60)).toEqual(['0', '12 h', '24 h', '36 h', '48 h', '60 h']);
    expect(ticks(20.5)).toEqual(['0', '4 h', '8 h', '12 h', '16 h', '20 h', '24 h']);
    expect(ticks(71)).toEqual(['0', '12 h', '24 h', '36 h', '48 h', '60 h', '72 h']);
    expect(ticks(72)).toEqual(['0', '1 d', '2 d', '3 d']);
    expect(ticks(100)).toEqual(['0', '1 d', '2 d', '3 d', '4 d', '5 d']);
    expect(ticks(24 * 40)).toEqual(['0', '10 d', '20 d', '30 d', '40 d']);
  });

  it('never mixes units (no "30 h" between "0 min" and "2.5 d")', () => {
    for (const max of [0.1, 0.9, 1, 5, 30, 47, 50, 70, 80, 150, 700, 5000]) {
      const units = new Set(ticks(max).slice(1).map((label) => label.split(' ')[1]));
      expect(units.size).toBe(1);
      expect(ticks(max).every((label) => !label.includes('.'))).toBe(true);
    }
  });

  it('covers the largest value with at most six steps, and survives empty data', () => {
    for (const max of [0.2, 3, 13, 49, 73, 333, 2000]) {
      const scale = durationScale(max);
      expect(scale.max).toBeGreaterThanOrEqual(max);
      expect(scale.max / scale.step).toBeLessThanOrEqual(6.0001);
    }
    expect(durationScale(0)).toEqual({ unit: 'h', step: 1, max: 1 });
    expect(durationScale(Number.NaN)).toEqual({ unit: 'h', step: 1, max: 1 });
    expect(maxOf([null, 3, undefined, Number.NaN, 7.5])).toBe(7.5);
    expect(formatDurationTick(0, 'min')).toBe('0');
  });
});

describe('chart defaults', () => {
  it('turns smoothing off on every line series and leaves other series alone', () => {
    const option = withChartDefaults({
      series: [
        { type: 'line', smooth: true, data: [0, 1, 0] },
        { type: 'bar', data: [1] },
      ],
    });
    expect(option.series).toEqual([
      { type: 'line', smooth: false, data: [0, 1, 0] },
      { type: 'bar', data: [1] },
    ]);
    expect(withChartDefaults({ series: { type: 'line', smooth: 0.5 } }).series).toEqual({ type: 'line', smooth: false });
    expect(withChartDefaults({ title: { text: 'x' } })).toEqual({
      backgroundColor: 'transparent',
      textStyle: { fontFamily: 'inherit' },
      title: { text: 'x' },
    });
  });
});
