// What the API can run, with JSON Schemas of the configs: the screeners, the strategy types and the
// modules under strategies/.
import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { importStrategyModule, indexStrategyFiles } from '../strategy/loader.ts';
import { STRATEGY_TYPES } from '../strategy/registry.ts';
import type { ScreenerStrategy } from '../screener/types.ts';

/** Returns a schema's JSON Schema as a client fills it in (defaults shown, optional fields optional). */
function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}

/** Lists the screeners with their parameter schemas. */
export function screenerCatalog(screeners: Readonly<Record<string, ScreenerStrategy>>) {
  return Object.values(screeners)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({
      name: s.name,
      kind: 'screener' as const,
      description: s.description,
      config_schema: jsonSchemaOf(s.configSchema),
    }));
}

/**
 * Lists what a backtest can run: the registered strategy types with their config schemas (a type whose
 * module fails to load is listed with its error), and every module path under strategies/.
 */
export async function backtestCatalog(root: string) {
  const types = await Promise.all(
    Object.entries(STRATEGY_TYPES).map(async ([type, t]) => {
      try {
        const m = await importStrategyModule(root, t.module, `type ${type}`);
        return {
          type,
          module: t.module,
          kind: t.kind,
          description: t.description,
          config_schema: jsonSchemaOf(m.configSchema),
        };
      } catch (e) {
        return {
          type,
          module: t.module,
          kind: t.kind,
          description: t.description,
          config_schema: null,
          error: (e as Error).message,
        };
      }
    }),
  );
  const modules = [...indexStrategyFiles(resolve(root, 'strategies')).values()]
    .flat()
    .map((file) =>
      relative(root, file)
        .replace(/\\/g, '/')
        .replace(/\.[mc]?[jt]s$/, ''),
    )
    .sort();
  return { types, modules };
}
