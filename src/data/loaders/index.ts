// The bar loaders in one import: formats, loading a file, and why rows are refused.

export type { DataFormat } from './formats.ts';
export { DATA_FORMATS, detectFormat } from './formats.ts';
export type { LoadOptions, LoadReport } from './load.ts';
export { defaultStamp, loadBarFile } from './load.ts';
export type { RowProblem } from './validate.ts';
export { ROW_PROBLEMS } from './validate.ts';
