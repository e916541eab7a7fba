import { notifyLatency } from './notify.bench.ts';
for (const k of [1, 5]) for (const pace of [250]) {
  const r = await notifyLatency({ strategies: k, count: 20000, paceUs: pace, maxMs: 15000 });
  console.log(k, pace, r);
}
