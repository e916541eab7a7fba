// Fault fixture: the example SMA cross, the well-behaved companion that must keep its trades when the
// strategies beside it misbehave.
export { configSchema, SimpleMaCrossStrategy } from '../../../../strategies/examples/simple_ma_cross.ts';
