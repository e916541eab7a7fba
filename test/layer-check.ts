// Checks src/ against the layer order of docs/architecture.md's Layout block: imports of later layers,
// layers that import each other, and code that imports test support.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** One import of a later layer (or of test support) by non-test code under src/. */
export type LayerViolation = {
  /** The importing file, relative to the root, with `/` separators. */
  file: string;
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** The imported file, relative to the root. */
  target: string;
  fromLayer: string;
  /** The imported file's layer, or `test support` when it is a test or test support file. */
  toLayer: string;
};

/** One import that makes an edge of the layer graph, kept as evidence for a cycle. */
export type LayerEdge = { from: string; to: string; file: string; line: number; specifier: string };

/** Layers that reach each other through imports, and one way around from the first back to itself. */
export type LayerCycle = { layers: string[]; walk: LayerEdge[] };

export type LayerReport = {
  /** Folders of src/ with no line in the Layout, Layout lines that name nothing, files in no layer. */
  layoutProblems: string[];
  violations: LayerViolation[];
  cycles: LayerCycle[];
};

/** Thrown when the Layout section or its code block cannot be read. */
export class LayoutParseError extends Error {}

/**
 * The entries of the Layout section's code block in document order (top = lowest layer). An entry is
 * the first word of a line that does not start with a space; indented lines continue a description.
 */
export function parseLayout(markdown: string): string[] {
  const lines = markdown.split(/\r?\n/);
  const heading = lines.findIndex((l) => /^##\s+Layout\s*$/.test(l));
  if (heading < 0) throw new LayoutParseError('no "## Layout" section');
  let open = -1;
  for (let i = heading + 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (/^#{1,2}\s/.test(l)) break;
    if (l.startsWith('```')) {
      open = i;
      break;
    }
  }
  if (open < 0) throw new LayoutParseError('the Layout section has no code block');
  const close = lines.findIndex((l, i) => i > open && l.startsWith('```'));
  if (close < 0) throw new LayoutParseError(`the Layout code block opened at line ${open + 1} is not closed`);

  const entries: string[] = [];
  for (let i = open + 1; i < close; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '' || /^\s/.test(l)) continue;
    const entry = l.split(/\s+/)[0] ?? '';
    // A folder ends with a slash; a single file (such as a package entry) may be listed by its name.
    if (!/^[\w.-]+(\/[\w.-]+)*\/$/.test(entry) && !/^[\w.-]+(\/[\w.-]+)*\.ts$/.test(entry))
      throw new LayoutParseError(
        `Layout line ${i + 1}: "${entry}" is neither a folder (ending in /) nor a .ts file`,
      );
    if (entries.includes(entry)) throw new LayoutParseError(`Layout line ${i + 1}: ${entry} is listed twice`);
    entries.push(entry);
  }
  if (!entries.some((e) => e.startsWith('src/')))
    throw new LayoutParseError('the Layout code block lists no src/ folder');
  return entries;
}

/** Tests and test support may import anything, and nothing else may import them. */
export function isTestFile(path: string): boolean {
  return /\.(test|fixture|contract)\.ts$/.test(path);
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** Every file below `dir` (relative to `root`), and every folder that holds at least one file. */
function walk(root: string, dir: string, files: string[], folders: string[]): void {
  let hasFile = false;
  for (const d of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = posix.join(dir, d.name);
    if (d.isDirectory()) walk(root, rel, files, folders);
    else {
      files.push(rel);
      hasFile = true;
    }
  }
  if (hasFile) folders.push(`${dir}/`);
}

/** The layer of a path: the longest entry that is the path itself or a folder holding it. */
export function layerOf(path: string, layout: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const e of layout)
    if ((path === e || (e.endsWith('/') && path.startsWith(e))) && (!best || e.length > best.length))
      best = e;
  return best;
}

type Import = { specifier: string; line: number };

/** Static imports and re-exports (`import type` too), `import('x')` calls and `import('x')` types. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (literal: ts.Node): void => {
    if (!ts.isStringLiteralLike(literal)) return;
    const { line } = source.getLineAndCharacterOfPosition(literal.getStart(source));
    found.push({ specifier: literal.text, line: line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const first = node.arguments[0];
      if (first) add(first);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Cycles of the layer graph: each strongly connected part with more than one layer. */
function findCycles(edges: Map<string, Map<string, LayerEdge>>): LayerCycle[] {
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
  // Tarjan's algorithm; the graph has a few dozen nodes, so recursion depth is no concern.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1) parts.push(part.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);

  // For each part, the shortest way from its first layer back to itself, as evidence.
  return parts.map((part) => {
    const inPart = new Set(part);
    const start = part[0] ?? '';
    const via = new Map<string, LayerEdge>();
    const queue = [start];
    let closing: LayerEdge | undefined;
    while (queue.length > 0 && !closing) {
      const v = queue.shift() ?? '';
      for (const [w, edge] of [...(edges.get(v) ?? new Map<string, LayerEdge>())].sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        if (!inPart.has(w)) continue;
        if (w === start) {
          closing = edge;
          break;
        }
        if (!via.has(w)) {
          via.set(w, edge);
          queue.push(w);
        }
      }
    }
    const walk: LayerEdge[] = closing ? [closing] : [];
    for (let e = closing && via.get(closing.from); e; e = via.get(e.from)) walk.unshift(e);
    return { layers: part, walk };
  });
}

/**
 * Checks every non-test `.ts` file under `<root>/src/` against `layout` (from {@link parseLayout}): an
 * import may name its own layer or an earlier one, never a later one, and never a test or test
 * support file. Two layers that import each other, directly or through others, make a cycle.
 */
export function checkLayers(root: string, layout: readonly string[]): LayerReport {
  const files: string[] = [];
  const folders: string[] = [];
  walk(root, 'src', files, folders);
  const rank = new Map(layout.map((e, i) => [e, i]));

  const layoutProblems: string[] = [];
  const unlisted = new Set(folders.filter((f) => f !== 'src/' && !layerOf(f, layout)));
  // An unlisted folder inside an unlisted folder is named by its parent's problem.
  for (const f of [...unlisted].sort())
    if (![...unlisted].some((u) => u !== f && f.startsWith(u)))
      layoutProblems.push(
        `${f} is not in the Layout list of docs/architecture.md (nor is a folder holding it)`,
      );
  for (const e of layout)
    if (e.startsWith('src/') && !existsSync(join(root, e)))
      layoutProblems.push(`the Layout list names ${e}, which does not exist`);

  const violations: LayerViolation[] = [];
  const edges = new Map<string, Map<string, LayerEdge>>();
  for (const file of files.sort()) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || isTestFile(file)) continue;
    const fromLayer = layerOf(file, layout);
    if (!fromLayer) {
      // A file of an unlisted folder is reported with its folder; one directly in src/ on its own.
      if (file.split('/').length === 2)
        layoutProblems.push(`${file} is in no layer of the Layout list (list the file or its folder)`);
      continue;
    }
    for (const { specifier, line } of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      // Packages and `node:` modules are no layer; the project imports its own files by relative path.
      if (!specifier.startsWith('.')) continue;
      const target = toPosix(relative(root, join(root, dirname(file), specifier)));
      const toLayer = isTestFile(target) ? 'test support' : layerOf(target, layout);
      // A file of the project outside every listed folder (package.json, say) is no layer either.
      if (toLayer === undefined) continue;
      const at = { file, line, specifier, target, fromLayer, toLayer };
      if (toLayer === 'test support' || (rank.get(toLayer) ?? 0) > (rank.get(fromLayer) ?? 0))
        violations.push(at);
      if (toLayer !== fromLayer && toLayer !== 'test support') {
        const out = edges.get(fromLayer) ?? new Map<string, LayerEdge>();
        if (!out.has(toLayer)) out.set(toLayer, { from: fromLayer, to: toLayer, file, line, specifier });
        edges.set(fromLayer, out);
      }
    }
  }
  return { layoutProblems, violations, cycles: findCycles(edges) };
}

/** One line per violation: where, what, and the two layers. */
export function formatViolation(v: LayerViolation): string {
  const why = v.toLayer === 'test support' ? 'test support' : `${v.toLayer}, a later layer`;
  return `${v.file}:${v.line} imports '${v.specifier}' (${v.target}): ${v.fromLayer} -> ${why}`;
}

/** One line per cycle: the layers in it, then one way around, each step with the import that makes it. */
export function formatCycle(cycle: LayerCycle): string {
  const steps = cycle.walk.map((e) => `-> ${e.to} (${e.file}:${e.line} '${e.specifier}')`);
  return `folder cycle among ${cycle.layers.join(', ')}: ${cycle.walk[0]?.from ?? ''} ${steps.join(' ')}`;
}
