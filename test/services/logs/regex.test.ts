import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinearRegex } from '../../../src/services/logs/engine/filter/regex.js';

describe('CloudWatch Logs %regex% matcher', () => {
  it('agrees with a backtracking engine on the subset', () => {
    const patterns = [
      'AUTHORIZED',
      '^ERROR',
      'done$',
      '^a+$',
      'colou?r',
      '[hc]at',
      '[^0-9]x',
      '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
      '[Ee]rror|[Ff]ail',
      'a{3}',
      'a{2,}b',
      'x.*y',
      '\\w+@\\w+\\.com',
      '[a-c-]+z',
      '\\s\\S',
      'ab*c|^q',
      '\\[warn\\]',
    ];
    const texts = ['', 'AUTHORIZED REQUEST', 'UNAUTHORIZED', 'ERROR at start', 'not an ERROR', 'all done', 'done later', 'aaa', 'aab', 'color', 'colour', 'colouur', 'cat', 'hat', 'bat', '7x', 'ax', '10.0.12.255', '1.2.3', 'Error', 'fail', 'FAIL', 'aa', 'aaab', 'ab', 'x to y', 'y then x', 'me@host.com', 'b-z', 'a b', 'q', 'ac', 'abbbc', '[warn] disk'];
    for (const p of patterns) {
      const mine = LinearRegex.compile(p);
      const theirs = new RegExp(p);
      for (const t of texts) assert.equal(mine.test(t), theirs.test(t), `%${p}% on ${JSON.stringify(t)}`);
    }
  });

  it('takes linear time where backtracking takes exponential', () => {
    const re = LinearRegex.compile('a*a*a*a*a*a*b');
    const started = performance.now();
    assert.equal(re.test('a'.repeat(200_000)), false);
    assert.ok(performance.now() - started < 2_000, 'a 200,000-character line in well under two seconds');
  });

  it('refuses what is outside the subset', () => {
    for (const bad of ['(a)', 'a|', '*a', 'a**', '[a-', 'a{2,1}', '\\b', '\\1', 'x{3000}']) {
      assert.throws(() => LinearRegex.compile(bad), Error, bad);
    }
  });
});
