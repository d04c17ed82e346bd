import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NO_SIGNATURES, PALETTE } from './map-colours.js';
import { mapShapes, renderWorldMap } from './world-map.js';

const text = { label: 'World map', describe: (code: string, count: number) => `${code} & co: ${count}` };
const pathOf = (svg: string, code: string) => new RegExp(`<path d="[^"]+" fill="([^"]+)" data-country="${code}"><title>([^<]*)</title></path>`).exec(svg);

describe('world map', () => {
  test('when projected, then countries carry ISO alpha-2 codes, including Kosovo, and the outlines are computed once', () => {
    const { shapes } = mapShapes();
    const codes = new Set(shapes.map((s) => s.code));
    for (const code of ['FR', 'GB', 'US', 'BR', 'XK', 'CN']) assert.ok(codes.has(code), code);
    assert.ok(!codes.has('AQ'));
    assert.equal(mapShapes().shapes, shapes);
  });

  test('when some countries have signatures, then they are coloured by class, the others are grey, and every path has a title with its count', () => {
    const { svg, legend, notShown } = renderWorldMap(new Map([['FR', 1000], ['GB', 2], ['SG', 7]]), text);
    assert.equal(pathOf(svg, 'FR')?.[1], PALETTE[4]);
    assert.equal(pathOf(svg, 'FR')?.[2], 'FR &amp; co: 1000');
    assert.equal(pathOf(svg, 'GB')?.[1], PALETTE[0]);
    assert.equal(pathOf(svg, 'DE')?.[1], NO_SIGNATURES);
    assert.equal(pathOf(svg, 'DE')?.[2], 'DE &amp; co: 0');
    assert.equal(legend.at(-1)?.to, 1000);
    assert.deepEqual(notShown, ['SG']);
    assert.match(svg, /^<svg [^>]*role="img" aria-label="World map"/);
    assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
