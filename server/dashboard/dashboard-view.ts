import { intlLocale } from '../i18n/languages.js';
import { countryName } from '../countries/countries.js';
import { chartDays, renderDailyChart } from './daily-chart.js';
import { sortHeaders, sortRows, type Sort } from './country-table.js';
import type { Dashboard } from './dashboard-service.js';
import { languageCoverage } from '../petitions/petition-languages.js';
import { NO_SIGNATURES } from './map-colours.js';
import { renderWorldMap } from './world-map.js';
import { publicationPeriod, publicationText } from '../tallies/publication-text.js';

type Translate = (key: string, vars?: Record<string, unknown>) => string;

// Long tails of ref codes or sites say little on a page; the JSON API has them all.
const LIST_LIMIT = 50;

/** What the dashboard template shows: numbers formatted, rows sorted, the map and chart drawn. */
export function dashboardView(data: Dashboard, sort: Sort, t: Translate, lang: string) {
  const number = new Intl.NumberFormat(intlLocale(lang));
  const percent = new Intl.NumberFormat(intlLocale(lang), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const { totals, petition } = data;
  const share = (n: number) => percent.format(totals.total > 0 ? n / totals.total : 0);
  // Plural forms make t() slow-ish (~0.1 ms); the map and chart repeat counts (mostly 0), so each is translated once.
  const phrases = new Map<number, string>();
  const signatures = (count: number) => {
    let phrase = phrases.get(count);
    if (phrase === undefined) phrases.set(count, (phrase = t('dashboard.signatures', { count, formatted: number.format(count) })));
    return phrase;
  };

  const map = renderWorldMap(new Map(data.countries.map((c) => [c.code, c.total])), {
    label: t('dashboard.map.label'),
    describe: (code, count) => `${countryName(code, lang)}: ${signatures(count)}`,
  });
  const { days, truncated } = chartDays(data.daily);
  const chart = days.length
    ? renderDailyChart(days, { label: t('dashboard.chart.label', { days: days.length }), describe: (d) => `${d.day}: ${signatures(d.count)}`, format: (n) => number.format(n) })
    : null;
  const capped = <T extends { count: number }>(list: T[]) => ({
    items: list.slice(0, LIST_LIMIT).map((x) => ({ ...x, count: number.format(x.count) })),
    more: Math.max(0, list.length - LIST_LIMIT),
  });

  const range = (from: number, to: number) => (from === to ? number.format(from) : `${number.format(from)}–${number.format(to)}`);

  return {
    petition,
    coverage: languageCoverage(petition.languages),
    totals,
    goal: { value: Math.min(totals.total, petition.goal), percent: percent.format(petition.goal > 0 ? totals.total / petition.goal : 0) },
    // Formatted here rather than by the view's number helper: a few hundred rows, one formatter.
    countries: sortRows(data.countries, sort, lang).map((c) => ({
      code: c.code,
      name: c.name,
      online: number.format(c.online),
      paper: number.format(c.paper),
      total: number.format(c.total),
      share: share(c.total),
    })),
    headers: sortHeaders(sort),
    map: {
      svg: map.svg,
      noneFill: NO_SIGNATURES,
      legend: map.legend.map((bin) => ({ fill: bin.fill, label: range(bin.from, bin.to) })),
      notShown: map.notShown.map((code) => countryName(code, lang)).join(', '),
    },
    chart: chart && { svg: chart, truncated, first: days[0]?.day, last: days.at(-1)?.day },
    refs: capped(data.refs),
    topCodes: data.topCodes.map((c) => ({ label: c.label, count: number.format(c.count) })),
    sources: capped(data.sources),
    updatedAt: data.updatedAt?.toISOString().slice(0, 16).replace('T', ' '),
    showPending: totals.pending !== undefined,
    countsNote: data.publication && (data.live ? t('dashboard.liveCounts', { every: publicationPeriod(data.publication, t) }) : publicationText(data.publication, t, lang)),
  };
}
