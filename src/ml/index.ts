export * from './features.ts';
export * from './logistic-regression.ts';
export * from './model-file.ts';
export * from './onnx-logistic.ts';
export * from './training.ts';
