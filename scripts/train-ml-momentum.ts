// Trains the bundled momentum model and writes models/ml_momentum.onnx and models/ml_momentum.json.
// Deterministic: run it twice and the files are byte-identical. `--check` writes nothing and exits 1
// when the files in models/ differ from what the training gives (see docs/ml.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trainMomentumModel } from '../src/ml/training.ts';

const ROOT = resolve(import.meta.dirname, '..');
const ONNX = join(ROOT, 'models/ml_momentum.onnx');
const SIDECAR = join(ROOT, 'models/ml_momentum.json');

const result = trainMomentumModel(ROOT);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const lines = [
  `trained on ${result.train.rows} rows: accuracy ${pct(result.train.accuracy)} (up share ${pct(result.train.upShare)}), final loss ${result.loss.toFixed(6)}`,
  ...Object.entries(result.validation).map(
    ([k, e]) => `validation ${k}: ${e.rows} rows, accuracy ${pct(e.accuracy)} (up share ${pct(e.upShare)})`,
  ),
  `weights ${[...result.model.weights].map((w) => w.toFixed(4)).join(', ')}; bias ${result.model.bias.toFixed(4)}`,
];
process.stdout.write(lines.join('\n') + '\n');

if (process.argv.includes('--check')) {
  const same = (file: string, bytes: Uint8Array) => {
    try {
      return Buffer.from(bytes).equals(readFileSync(file));
    } catch {
      return false;
    }
  };
  const ok = same(ONNX, result.onnx) && same(SIDECAR, new TextEncoder().encode(result.sidecar));
  process.stdout.write(
    ok ? 'models/ are up to date\n' : 'models/ differ from the training: run without --check\n',
  );
  process.exitCode = ok ? 0 : 1;
} else {
  writeFileSync(ONNX, result.onnx);
  writeFileSync(SIDECAR, result.sidecar);
  process.stdout.write(`wrote ${ONNX} (${result.onnx.length} bytes) and ${SIDECAR}\n`);
}
