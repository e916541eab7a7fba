import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.ts';

describe('parsePrometheusText', () => {
  it("reads prom-client's own output, escapes and histogram included", async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'x_total',
      help: 'a "help"\nwith a line break',
      labelNames: ['k'],
      registers: [registry],
    });
    c.inc({ k: 'quote " back \\ newline \n end' }, 3);
    const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('x_total')).toEqual({
      name: 'x_total',
      type: 'counter',
      help: 'a "help"\nwith a line break',
      samples: [{ name: 'x_total', labels: { k: 'quote " back \\ newline \n end' }, value: 3 }],
    });
    expect(families.get('h_seconds')?.samples.map((s) => [s.name, s.labels['le'], s.value])).toEqual([
      ['h_seconds_bucket', '0.1', 1],
      ['h_seconds_bucket', '1', 2],
      ['h_seconds_bucket', '+Inf', 3],
      ['h_seconds_sum', undefined, 5.55],
      ['h_seconds_count', undefined, 3],
    ]);
  });

  it('reads special values and timestamps', () => {
    const f = parsePrometheusText(
      '# TYPE g gauge\ng{a="1"} +Inf 1700000000000\ng{a="2"} -1.5e-3\ng{a="3"} Nan\n',
    );
    expect(f.get('g')?.samples.map((s) => s.value)).toEqual([Infinity, -0.0015, NaN]);
  });

  const bad: readonly [string, string, RegExp][] = [
    ['no final line break', '# TYPE g gauge\ng 1', /line break/],
    ['a bad metric name', '# TYPE g gauge\n1g 1\n', /bad metric name/],
    ['an unterminated label value', '# TYPE g gauge\ng{a="1} 1\n', /unterminated/],
    ['an unquoted label value', '# TYPE g gauge\ng{a=1} 1\n', /not quoted/],
    ['a bad escape', '# TYPE g gauge\ng{a="\\t"} 1\n', /bad escape/],
    ['a label given twice', '# TYPE g gauge\ng{a="1",a="2"} 1\n', /twice/],
    ['a value that is not a number', '# TYPE g gauge\ng 1,5\n', /not a number/],
    ['a missing value', '# TYPE g gauge\ng{a="1"}\n', /expected " value/],
    ['a series twice', '# TYPE g gauge\ng{a="1"} 1\ng{a="1"} 2\n', /appears twice/],
    ['TYPE after samples', 'g 1\n# TYPE g gauge\n', /after its samples/],
    ['an unknown type', '# TYPE g meter\n', /unknown type/],
    ['a family split in two', '# TYPE g gauge\ng 1\n# TYPE h gauge\nh 1\ng{a="1"} 2\n', /not contiguous/],
    ['a negative counter', '# TYPE c counter\nc -1\n', />= 0/],
    [
      'buckets that fall',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
      /fewer/,
    ],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 1\nh_count 2\n', /no \+Inf/],
    [
      '+Inf unlike _count',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
      /differs from _count/,
    ],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n', /missing/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parsePrometheusText(text)).toThrow(message);
    });
  }
});
