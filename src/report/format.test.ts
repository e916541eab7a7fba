import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatMoney,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatRatio,
  formatTs,
} from './format.ts';

describe('report formatting', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });

  it('formats money, prices, quantities, percentages and ratios', () => {
    expect(formatMoney(-1234.5)).toBe('-1,234.50');
    expect(formatMoney(1e6)).toBe('1,000,000.00');
    expect(formatPrice(101.25)).toBe('101.25');
    expect(formatPrice(147.508_812)).toBe('147.5088');
    expect(formatPrice(0.000_123)).toBe('0.000123');
    expect(formatQuantity(1500)).toBe('1,500');
    expect(formatQuantity(0.125)).toBe('0.125');
    expect(formatPercent(0.1234)).toBe('12.34%');
    expect(formatPercent(-0.0961)).toBe('-9.61%');
    expect(formatRatio(1.0632)).toBe('1.06');
  });

  it('shows no sign on values that round to zero, and symbols for non-finite values', () => {
    expect(formatPercent(-0)).toBe('0.00%');
    expect(formatMoney(-0.001)).toBe('0.00');
    expect(formatRatio(Infinity)).toBe('∞');
    expect(formatRatio(-Infinity)).toBe('-∞');
    expect(formatRatio(NaN)).toBe('–');
  });

  it('formats times as ISO 8601 UTC, leaving out zero seconds and milliseconds', () => {
    expect(formatTs(Date.UTC(2024, 0, 2, 14, 30))).toBe('2024-01-02T14:30Z');
    expect(formatTs(Date.UTC(2024, 0, 2, 14, 30, 5))).toBe('2024-01-02T14:30:05Z');
    expect(formatTs(Date.UTC(2024, 0, 2, 14, 30, 0, 7))).toBe('2024-01-02T14:30:00.007Z');
    expect(formatTs(null)).toBe('–');
  });
});
