import { createRequire } from 'node:module';
import { geoEqualEarth, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { colourBins, fillFor, type ColourBin } from './map-colours.js';
import { escapeXml } from './svg-text.js';

const require = createRequire(import.meta.url);
const isoCountries = require('i18n-iso-countries') as { numericToAlpha2(numeric: string): string | undefined };

const WIDTH = 960;
// world-atlas leaves three areas without an ISO number; each takes the code its signers will most likely choose.
const UNNUMBERED: Record<string, string> = { Kosovo: 'XK', 'N. Cyprus': 'CY', Somaliland: 'SO' };
// Antarctica would take a fifth of the height for no signers; the table lists it if anyone ever signs from there.
const LEFT_OUT = new Set(['AQ']);

interface Shape {
  code: string;
  d: string;
}

let projected: { shapes: Shape[]; height: number } | undefined;

/** Projecting the outlines costs tens of milliseconds: done once per process, on first use. Requests only pick colours. */
export function mapShapes(): { shapes: readonly Shape[]; height: number } {
  if (projected) return projected;
  const topology = require('world-atlas/countries-110m.json') as Topology;
  const all = feature(topology, topology.objects.countries as GeometryCollection<{ name: string }>);
  const codeOf = (id: string | number | undefined, name: string) => (id === undefined ? UNNUMBERED[name] : isoCountries.numericToAlpha2(String(id)));
  const features = all.features.flatMap((f) => {
    const code = codeOf(f.id, f.properties.name);
    return code && !LEFT_OUT.has(code) ? [{ code, f }] : [];
  });
  const projection = geoEqualEarth().fitWidth(WIDTH, { type: 'FeatureCollection', features: features.map((x) => x.f) });
  const path = geoPath(projection).digits(0);
  const shapes = features.flatMap(({ code, f }) => {
    const d = path(f);
    return d ? [{ code, d }] : [];
  });
  const height = Math.ceil(path.bounds({ type: 'FeatureCollection', features: features.map((x) => x.f) })[1][1]);
  projected = { shapes, height };
  return projected;
}

export interface WorldMap {
  svg: string;
  legend: ColourBin[];
  /** Codes with signatures that the map cannot show (too small at this scale, or left out). */
  notShown: string[];
}

interface Text {
  /** The accessible name of the whole map. */
  label: string;
  /** The tooltip of one country, e.g. "France: 1,204 signatures". */
  describe: (code: string, count: number) => string;
}

export function renderWorldMap(counts: ReadonlyMap<string, number>, text: Text): WorldMap {
  const { shapes, height } = mapShapes();
  const legend = colourBins(Math.max(0, ...counts.values()));
  const paths = shapes.map(({ code, d }) => {
    const count = counts.get(code) ?? 0;
    return `<path d="${d}" fill="${fillFor(count, legend)}" data-country="${code}"><title>${escapeXml(text.describe(code, count))}</title></path>`;
  });
  const drawn = new Set(shapes.map((s) => s.code));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="world-map" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(text.label)}">` +
    `<g stroke="#ffffff" stroke-width="0.5">${paths.join('')}</g></svg>`;
  return { svg, legend, notShown: [...counts].filter(([code, n]) => n > 0 && !drawn.has(code)).map(([code]) => code) };
}
