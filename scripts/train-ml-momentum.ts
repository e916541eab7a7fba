// Trains a bundled model (ml_momentum by default; `--type ml_mean_reversion` or `--type ml_breakout` for
// the others) and writes models/<type>.onnx and models/<type>.json. Deterministic: run it twice and the
// files are byte-identical. `--check` writes nothing and exits 1 when the files in models/ differ from
// what the training gives; `--type all` trains every bundled model (see docs/ml.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODEL_SPECS, type ModelName } from '../src/ml/model-specs.ts';
import { trainModel } from '../src/ml/training.ts';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const typeAt = args.indexOf('--type');
const type = typeAt === -1 ? 'ml_momentum' : (args[typeAt + 1] ?? '');
const known = Object.keys(MODEL_SPECS);
if (type !== 'all' && !known.includes(type)) {
  process.stderr.write(`--type: unknown model "${type}"; known: ${known.join(', ')}, all\n`);
  process.exit(2);
}
const names = type === 'all' ? (known as ModelName[]) : [type as ModelName];
const check = args.includes('--check');
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
let stale = false;

for (const name of names) {
  const ONNX = join(ROOT, `models/${name}.onnx`);
  const SIDECAR = join(ROOT, `models/${name}.json`);
  const result = trainModel(ROOT, MODEL_SPECS[name]);
  const lines = [
    ...(names.length > 1 ? [`${name}:`] : []),
    `trained on ${result.train.rows} rows: accuracy ${pct(result.train.accuracy)} (up share ${pct(result.train.upShare)}), final loss ${result.loss.toFixed(6)}`,
    ...Object.entries(result.validation).map(
      ([k, e]) => `validation ${k}: ${e.rows} rows, accuracy ${pct(e.accuracy)} (up share ${pct(e.upShare)})`,
    ),
    `weights ${[...result.model.weights].map((w) => w.toFixed(4)).join(', ')}; bias ${result.model.bias.toFixed(4)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');

  if (check) {
    const same = (file: string, bytes: Uint8Array) => {
      try {
        return Buffer.from(bytes).equals(readFileSync(file));
      } catch {
        return false;
      }
    };
    const ok = same(ONNX, result.onnx) && same(SIDECAR, new TextEncoder().encode(result.sidecar));
    if (!ok) stale = true;
    process.stdout.write(
      ok
        ? `models/${name}.* are up to date\n`
        : `models/${name}.* differ from the training: run without --check\n`,
    );
  } else {
    writeFileSync(ONNX, result.onnx);
    writeFileSync(SIDECAR, result.sidecar);
    process.stdout.write(`wrote ${ONNX} (${result.onnx.length} bytes) and ${SIDECAR}\n`);
  }
}
if (check) process.exitCode = stale ? 1 : 0;
