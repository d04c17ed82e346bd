import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromAcceptLanguage, intlLocale, localisedPath, matchLanguage } from './languages.js';

describe('matching a browser language to ours', () => {
  test('when a tag names a Chinese region or script, then Taiwan, Hong Kong and Macau get Traditional and the rest Simplified', () => {
    const cases = ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant-HK', 'zh-hant', 'zh-CN', 'zh-SG', 'zh', 'zh-Hans-CN'].map((tag) => [tag, matchLanguage(tag)]);
    assert.deepEqual(cases, [
      ['zh-TW', 'zh-Hant'],
      ['zh-HK', 'zh-Hant'],
      ['zh-MO', 'zh-Hant'],
      ['zh-Hant-HK', 'zh-Hant'],
      ['zh-hant', 'zh-Hant'],
      ['zh-CN', 'zh-Hans'],
      ['zh-SG', 'zh-Hans'],
      ['zh', 'zh-Hans'],
      ['zh-Hans-CN', 'zh-Hans'],
    ]);
  });

  test('when a header lists languages with weights, then the heaviest one we have wins, and none gives null', () => {
    assert.equal(fromAcceptLanguage('de;q=0.9, fr;q=0.5, ar;q=0.8'), 'ar');
    assert.equal(fromAcceptLanguage('es-MX,es;q=0.9'), 'es');
    assert.equal(fromAcceptLanguage('fr;q=0, es;q=0.1'), 'es');
    assert.equal(fromAcceptLanguage('de, *;q=0.5'), null);
    assert.equal(fromAcceptLanguage(undefined), null);
  });

  test('when a path is put in a language, then English keeps it and the others carry their code in front', () => {
    assert.deepEqual(['en', 'ar', 'zh-Hant', 'xx'].map((lang) => localisedPath(lang, '/confirm/abc')), ['/confirm/abc', '/ar/confirm/abc', '/zh-Hant/confirm/abc', '/confirm/abc']);
  });

  test('when Arabic numbers are formatted, then they use Western digits whatever the ICU default', () => {
    assert.equal(new Intl.NumberFormat(intlLocale('ar')).format(323832), '323,832');
  });
});
