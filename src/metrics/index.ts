export { PrometheusExporter } from './prometheus.ts';
export type { ErrorCategory, ErrorCounts, MetricsSource, PrometheusExporterOptions } from './prometheus.ts';
export { metricsHandler, startMetricsServer } from './server.ts';
export type { MetricsServer, MetricsServerOptions, MetricsText } from './server.ts';
export { STRATEGY_KINDS, strategyKind } from '../strategy/kind.ts';
export type { StrategyKind } from '../strategy/kind.ts';
