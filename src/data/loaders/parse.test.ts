import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { daysInMonth, parseDate, parseNumber, parseTime } from './parse.ts';

const num = (s: string): number => parseNumber(`,${s},`, 1, s.length + 1);

describe('parseNumber', () => {
  it('reads plain decimals, signs and integers', () => {
    expect(num('45.549999')).toBe(45.549999);
    expect(num('3602.00')).toBe(3602);
    expect(num('250.0')).toBe(250);
    expect(num('36301200')).toBe(36301200);
    expect(num('-1.5')).toBe(-1.5);
    expect(num('+2')).toBe(2);
    expect(num('.5')).toBe(0.5);
    expect(num('7.')).toBe(7);
    expect(num('1e3')).toBe(1000);
    expect(num('12345678901234567890')).toBe(Number('12345678901234567890'));
  });

  it('refuses what is not a finite decimal, including what Number() would accept', () => {
    for (const s of ['', ' ', '-', '.', 'NaN', 'nan', 'abc', '1.2.3', '1,5', '0x1f', 'Infinity', '-Infinity', '1e999', ' 1', '1 '])
      expect(num(s), s).toBeNaN();
  });

  it('equals Number() bit for bit on random decimals up to the fast-path limit and beyond', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + rand(18);
      let s = '';
      for (let d = 0; d < digits; d++) s += String(rand(10));
      const dot = rand(digits + 1);
      const text = `${s.slice(0, dot)}.${s.slice(dot)}`;
      expect(num(text), text).toBe(Number(text));
    }
  });

  it('equals Number() on every numeric field of the bundled data files', () => {
    const root = fileURLToPath(new URL('../../../data/', import.meta.url));
    let checked = 0;
    for (const dir of ['daily', 'intraday']) {
      for (const name of readdirSync(root + dir)) {
        const lines = readFileSync(`${root}${dir}/${name}`, 'utf8').split('\n').slice(1);
        for (const line of lines) {
          for (const field of line.trim().split(',').slice(1)) {
            if (field.includes(':')) continue;
            if (num(field) !== Number(field)) expect.fail(`${name}: ${field} read as ${num(field)}`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1_000_000);
  });
});

describe('parseDate', () => {
  it('returns yyyymmdd for real dates', () => {
    expect(parseDate('2006-01-02', 0)).toBe(20060102);
    expect(parseDate('x,2024-02-29,', 2)).toBe(20240229);
    expect(parseDate('2000-02-29', 0)).toBe(20000229);
  });

  it('returns -1 for impossible or misshapen dates', () => {
    for (const s of ['2023-02-29', '1900-02-29', '2006-13-01', '2006-00-10', '2006-04-31', '2006-01-00', '2006/01/02', '06-01-02xx', '2006-1-02x'])
      expect(parseDate(s, 0), s).toBe(-1);
  });

  it('knows month lengths and leap years', () => {
    expect([2023, 2024, 1900, 2000].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28, 29]);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });
});

describe('parseTime', () => {
  const time = (s: string): number => parseTime(s, 0, s.length);

  it('returns seconds of the day for HH:MM:SS and HH:MM', () => {
    expect(time('09:05:00')).toBe(9 * 3600 + 5 * 60);
    expect(time('23:59:59')).toBe(86_399);
    expect(time('00:00')).toBe(0);
  });

  it('returns -1 for anything else', () => {
    for (const s of ['24:00:00', '12:60:00', '12:00:60', '9:05:00', '09-05-00', '09:05:0', '', 'ab:cd:ef'])
      expect(time(s), s).toBe(-1);
  });
});
