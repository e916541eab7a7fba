// Enforces the layer order of docs/architecture.md's Layout block on src/, and proves on a fixture tree
// (test/fixtures/layers/) that the check finds an import of a later layer, a cycle and leaked test support.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkLayers,
  formatCycle,
  formatViolation,
  isTestFile,
  layerOf,
  LayoutParseError,
  parseLayout,
} from './layer-check.ts';
import { ROOT } from './helpers.ts';

const FIXTURE = join(ROOT, 'test/fixtures/layers');

function layoutOf(root: string): string[] {
  return parseLayout(readFileSync(join(root, 'docs/architecture.md'), 'utf8'));
}

describe('the layers of src/', () => {
  const layout = layoutOf(ROOT);
  const report = checkLayers(ROOT, layout);

  it('are read from the Layout block of docs/architecture.md, lowest first', () => {
    const src = layout.filter((e) => e.startsWith('src/'));
    expect(src[0]).toBe('src/core/');
    expect(src.indexOf('src/data/')).toBeLessThan(src.indexOf('src/data/loaders/'));
    expect(src.indexOf('src/strategy/')).toBeLessThan(src.indexOf('src/strategy/host/'));
    expect(src.at(-1)).toBe('src/cli/');
  });

  it('cover every folder of src/, and the list names no folder that is gone', () => {
    expect(report.layoutProblems).toEqual([]);
  });

  it('import only their own layer or one listed above it, and no test support', () => {
    expect(report.violations.map(formatViolation)).toEqual([]);
  });

  it('import each other one way only', () => {
    expect(report.cycles.map(formatCycle)).toEqual([]);
  });
});

describe('the layer check', () => {
  it('reports exactly the breaks planted in the fixture tree', () => {
    const report = checkLayers(FIXTURE, layoutOf(FIXTURE));
    expect(report.layoutProblems).toEqual([]);
    expect(report.violations.map(formatViolation)).toEqual([
      "src/base/upward.ts:3 imports '../top/app.ts' (src/top/app.ts): src/base/ -> src/top/, a later layer",
      "src/mid/sub/leaf.ts:4 imports '../../top/other.ts' (src/top/other.ts): src/mid/sub/ -> src/top/, a later layer",
      "src/mid/use.ts:3 imports './help.fixture.ts' (src/mid/help.fixture.ts): src/mid/ -> test support",
    ]);
    expect(report.cycles.map(formatCycle)).toEqual([
      "folder cycle among src/base/, src/top/: src/base/ -> src/top/ (src/base/upward.ts:3 '../top/app.ts')" +
        " -> src/base/ (src/top/app.ts:12 '../base/value.ts')",
    ]);
  });

  it('reads the Layout entries in order and skips the descriptions', () => {
    expect(layoutOf(FIXTURE)).toEqual(['src/base/', 'src/mid/', 'src/mid/sub/', 'src/top/', 'test/']);
  });

  it('puts a file in the longest listed folder holding it', () => {
    const layout = ['src/a/', 'src/a/b/', 'src/c.ts'];
    expect(layerOf('src/a/x.ts', layout)).toBe('src/a/');
    expect(layerOf('src/a/b/x.ts', layout)).toBe('src/a/b/');
    expect(layerOf('src/a/bc/x.ts', layout)).toBe('src/a/');
    expect(layerOf('src/c.ts', layout)).toBe('src/c.ts');
    expect(layerOf('src/d/x.ts', layout)).toBeUndefined();
  });

  it('counts tests, fixtures and contract suites as test code', () => {
    for (const f of ['src/a/x.test.ts', 'src/a/x.fixture.ts', 'src/a/store.contract.ts'])
      expect(isTestFile(f), f).toBe(true);
    for (const f of ['src/a/x.ts', 'src/a/app-fixtures.ts', 'src/a/test-data.ts'])
      expect(isTestFile(f), f).toBe(false);
  });

  it('names a src/ folder missing from the Layout, and a listed folder that does not exist', () => {
    const report = checkLayers(FIXTURE, ['src/base/', 'src/gone/', 'src/mid/', 'src/mid/sub/']);
    expect(report.layoutProblems).toEqual([
      'src/top/ is not in the Layout list of docs/architecture.md (nor is a folder holding it)',
      'the Layout list names src/gone/, which does not exist',
    ]);
  });

  it('asks for a file directly in src/ to be listed, and checks it once it is', () => {
    const root = mkdtempSync(join(tmpdir(), 'tf-layers-'));
    mkdirSync(join(root, 'src/a'), { recursive: true });
    writeFileSync(join(root, 'src/a/x.ts'), 'export const X = 1;\n');
    writeFileSync(join(root, 'src/index.ts'), "export { X } from './a/x.ts';\n");
    expect(checkLayers(root, ['src/a/']).layoutProblems).toEqual([
      'src/index.ts is in no layer of the Layout list (list the file or its folder)',
    ]);
    expect(checkLayers(root, ['src/a/', 'src/index.ts'])).toEqual({
      layoutProblems: [],
      violations: [],
      cycles: [],
    });
    expect(checkLayers(root, ['src/index.ts', 'src/a/']).violations.map(formatViolation)).toEqual([
      "src/index.ts:1 imports './a/x.ts' (src/a/x.ts): src/index.ts -> src/a/, a later layer",
    ]);
  });

  it('fails clearly when the Layout block cannot be read', () => {
    const block = (lines: string): string => `# Doc\n\n## Layout\n\nText.\n\n\`\`\`\n${lines}\n\`\`\`\n`;
    const cases: [string, RegExp][] = [
      ['# Doc\n\nNo layout here.\n', /no "## Layout" section/],
      ['## Layout\n\nText only.\n\n## Next\n\n```\nsrc/a/  a\n```\n', /has no code block/],
      ['## Layout\n\n```\nsrc/a/  a\n', /is not closed/],
      [block('src/a   a folder without its slash'), /"src\/a" is neither a folder/],
      [block('src/a/  a\nsrc/a/  again'), /src\/a\/ is listed twice/],
      [block('docs/  only docs'), /lists no src\/ folder/],
    ];
    for (const [doc, message] of cases) {
      expect(() => parseLayout(doc), doc).toThrow(LayoutParseError);
      expect(() => parseLayout(doc), doc).toThrow(message);
    }
  });
});
