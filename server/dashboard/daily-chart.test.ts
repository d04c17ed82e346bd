import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chartDays, renderDailyChart } from './daily-chart.js';

const text = { label: 'Signatures per day', describe: (d: { day: string; count: number }) => `${d.day}: ${d.count}`, format: String };

describe('signatures per day chart', () => {
  test('when days without signatures lie between counted days, then they are filled in with zero', () => {
    const { days, truncated } = chartDays([{ day: '2024-02-27', count: 3 }, { day: '2024-03-02', count: 5 }]);
    assert.deepEqual(days, [
      { day: '2024-02-27', count: 3 },
      { day: '2024-02-28', count: 0 },
      { day: '2024-02-29', count: 0 },
      { day: '2024-03-01', count: 0 },
      { day: '2024-03-02', count: 5 },
    ]);
    assert.equal(truncated, false);
  });

  test('when the days span more than the limit, then only the last days are kept and that is said', () => {
    const { days, truncated } = chartDays([{ day: '2023-01-01', count: 1 }, { day: '2024-01-10', count: 2 }], 10);
    assert.equal(days.length, 10);
    assert.equal(days[0]!.day, '2024-01-01');
    assert.equal(days.at(-1)!.count, 2);
    assert.equal(truncated, true);
  });

  test('when nothing was counted, then there are no days', () => {
    assert.deepEqual(chartDays([]), { days: [], truncated: false });
  });

  test('when drawn, then there is one titled bar per day, the tallest day reaches the top, and the axes show the maximum and the dates', () => {
    const svg = renderDailyChart(chartDays([{ day: '2024-05-01', count: 4 }, { day: '2024-05-03', count: 8 }]).days, text);
    const bars = [...svg.matchAll(/<rect class="bar"[^>]*height="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)];
    assert.deepEqual(bars.map((b) => b[2]), ['2024-05-01: 4', '2024-05-02: 0', '2024-05-03: 8']);
    assert.deepEqual(bars.map((b) => Number(b[1])), [90, 0, 180]);
    assert.match(svg, /role="img" aria-label="Signatures per day"/);
    assert.match(svg, />8<\/text>/);
    assert.match(svg, />2024-05-01<\/text>/);
    assert.match(svg, />2024-05-03<\/text>/);
  });

  test('when a label holds markup, then it is escaped', () => {
    const svg = renderDailyChart([{ day: '2024-05-01', count: 1 }], { ...text, label: '<b>"x"</b> & y' });
    assert.match(svg, /aria-label="&lt;b&gt;&quot;x&quot;&lt;\/b&gt; &amp; y"/);
  });
});
