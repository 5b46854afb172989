/** The path pattern matching the catalog (and the data plane) select behaviors by, as CloudFront documents it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathPatternMatches } from '../../../src/services/cloudfront/model.js';

test('path patterns: * spans any characters (slashes too), ? one, case-sensitive, leading slash optional', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/images/*.jpg', '/images/a.jpg', true],
    ['/images/*.jpg', '/images/sub/dir/a.jpg', true],
    ['/images/*.jpg', '/images/a.JPG', false],
    ['images/*.jpg', '/images/a.jpg', true],
    ['*.gif', '/x/y.gif', true],
    ['/a?c', '/abc', true],
    ['/a?c', '/ac', false],
    ['/a?c', '/abbc', false],
    ['*', '/anything/at/all', true],
    ['/api/*', '/api/', true],
    ['/api/*', '/api', false],
    ['/exact', '/exact', true],
    ['/exact', '/exact/more', false],
    ['/a*b*c*d', '/axxbyyczzd', true],
    ['/a*b*c*d', '/axxbyyczz', false],
    ['/file.(1)+[x]', '/file.(1)+[x]', true],
  ];
  for (const [pattern, path, want] of cases) assert.equal(pathPatternMatches(pattern, path), want, `${pattern} ~ ${path}`);
});

test('path patterns stay linear on adversarial input', () => {
  const pattern = `/${'*a'.repeat(60)}b`;
  const path = `/${'a'.repeat(5000)}`;
  const started = process.hrtime.bigint();
  assert.equal(pathPatternMatches(pattern, path), false);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000, 'matching took too long');
});
