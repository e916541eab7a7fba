import { it } from 'vitest';
import { parseSessionConfig } from '../config/session-config.ts';
import { paceSession, runEngine } from '../../test/pace-sessions.ts';
import { tempFiles } from '../../test/helpers.ts';
import { resolve } from 'node:path';
it('x', async () => {
  // 20 bars ending just before midnight, 20 after
  const start = Date.UTC(2024, 0, 2, 23, 40);
  const rows = Array.from(
    { length: 40 },
    (_, i) =>
      `${new Date(start + i * 60000).toISOString().slice(0, 19).replace('T', ' ')},${100 + ((i * 7) % 11)},${101 + ((i * 7) % 11)},${99 + ((i * 7) % 11)},${100.5 + ((i * 7) % 11)},100`,
  );
  const dir = tempFiles({ 'X.csv': ['timestamp,open,high,low,close,volume', ...rows].join('\n') + '\n' });
  const base = paceSession({
    bars: 2,
    speed: 6000,
    strategies: [{ name: 'fast', on_backpressure: 'pause' }, { name: 'fast2' }],
  });
  const session = {
    ...base,
    config: { ...base.config, data: base.config.data.map((d) => ({ ...d, file: resolve(dir, 'X.csv') })) },
  };
  const r = await runEngine(session);
  console.log(
    r.metrics.strategies.map((m) =>
      [m.name, m.status, m.notifications, m.overruns, m.backpressureEvents].join('/'),
    ),
  );
  console.log(r.log.records.filter((l) => l.level !== 'info').map((l) => l.msg));
});
