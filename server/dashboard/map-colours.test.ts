import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NO_SIGNATURES, PALETTE, colourBins, fillFor } from './map-colours.js';

describe('map colours', () => {
  test('when counts reach a million, then five log-scale classes cover 1 to the maximum without gaps', () => {
    const bins = colourBins(1_000_000);
    assert.deepEqual(bins.map((b) => [b.from, b.to]), [[1, 19], [20, 299], [300, 3999], [4000, 59999], [60000, 1_000_000]]);
    assert.deepEqual(bins.map((b) => b.fill), [...PALETTE]);
  });

  test('when the largest count is small, then there are fewer classes, taken from the dark end', () => {
    assert.deepEqual(colourBins(1), [{ from: 1, to: 1, fill: PALETTE[4] }]);
    assert.deepEqual(colourBins(3).map((b) => [b.from, b.to, b.fill]), [[1, 1, PALETTE[3]], [2, 3, PALETTE[4]]]);
  });

  test('when nobody signed, then there are no classes and every country is grey', () => {
    assert.deepEqual(colourBins(0), []);
    assert.equal(fillFor(0, colourBins(0)), NO_SIGNATURES);
  });

  test('when a count is coloured, then it takes the class whose range holds it', () => {
    const bins = colourBins(1000);
    assert.equal(fillFor(0, bins), NO_SIGNATURES);
    assert.equal(fillFor(1, bins), PALETTE[0]);
    assert.equal(fillFor(bins[1]!.from, bins), PALETTE[1]);
    assert.equal(fillFor(bins[1]!.from - 1, bins), PALETTE[0]);
    assert.equal(fillFor(1000, bins), PALETTE[4]);
  });
});
