// A logistic-regression model as an ONNX graph: writing it, reading it back with its shape checked, and
// its forward pass.
import { bytesOf, decodeFields, ProtoWriter, stringOf, stringsOf, varintsOf, WireType } from './protobuf.ts';
import type { ProtoField } from './protobuf.ts';

/**
 * A logistic regression over standardised features, as stored in an ONNX graph:
 * `probability = Sigmoid(((features - mean) / std) MatMul weights + bias)`.
 * All numbers are float32 values, as the ONNX graph holds them.
 */
export interface LogisticModel {
  /** The features in column order (stored in the model's metadata as `feature_names`). */
  readonly featureNames: readonly string[];
  readonly mean: Float32Array;
  readonly std: Float32Array;
  readonly weights: Float32Array;
  readonly bias: number;
  /** The model's metadata properties (provenance: how and on what it was trained). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** The graph's input: float32 [N, F]. */
export const INPUT_NAME = 'features';
/** The graph's output: float32 [N, 1]. */
export const OUTPUT_NAME = 'probability';
/** The operators of the graph, in order; each takes the previous one's output. */
export const LOGISTIC_OPS = ['Sub', 'Div', 'MatMul', 'Add', 'Sigmoid'] as const;
/** The initializer each operator takes as its second input (Sigmoid takes none). */
const INITIALIZERS = ['mean', 'std', 'weights', 'bias'] as const;

const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1;

// Field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto).
const Model = {
  irVersion: 1,
  producer: 2,
  producerVersion: 3,
  modelVersion: 5,
  doc: 6,
  graph: 7,
  opset: 8,
  props: 14,
};
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const Node = { input: 1, output: 2, name: 3, opType: 4 };
const Tensor = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9 };

/** Returns a float32 tensor initializer. */
function tensor(name: string, dims: readonly number[], values: Float32Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.varint(Tensor.dims, d);
  w.varint(Tensor.dataType, FLOAT).string(Tensor.name, name);
  // raw_data is little-endian float32, whatever the host's byte order.
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return w.bytes(Tensor.rawData, raw);
}

/** Returns a float32 tensor value info; a string dim is symbolic (the batch size). */
function valueInfo(name: string, dims: readonly (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    shape.bytes(1, typeof d === 'string' ? new ProtoWriter().string(2, d) : new ProtoWriter().varint(1, d));
  }
  const tensorType = new ProtoWriter().varint(1, FLOAT).bytes(2, shape);
  return new ProtoWriter().string(1, name).bytes(2, new ProtoWriter().bytes(1, tensorType));
}

/** Encodes a logistic model as an ONNX file; the same model always gives the same bytes. */
export function encodeLogisticOnnx(
  model: LogisticModel,
  options: { graphName: string; doc: string },
): Uint8Array {
  const f = model.featureNames.length;
  for (const [what, arr] of [
    ['mean', model.mean],
    ['std', model.std],
    ['weights', model.weights],
  ] as const) {
    if (arr.length !== f) throw new RangeError(`${what} has ${arr.length} values for ${f} features`);
  }
  const graph = new ProtoWriter();
  let previous = INPUT_NAME;
  LOGISTIC_OPS.forEach((op, i) => {
    const output = i === LOGISTIC_OPS.length - 1 ? OUTPUT_NAME : `${op.toLowerCase()}_out`;
    const node = new ProtoWriter().string(Node.input, previous);
    const init = INITIALIZERS[i];
    if (init !== undefined) node.string(Node.input, init);
    graph.bytes(
      Graph.node,
      node.string(Node.output, output).string(Node.name, op.toLowerCase()).string(Node.opType, op),
    );
    previous = output;
  });
  graph.string(Graph.name, options.graphName);
  graph.bytes(Graph.initializer, tensor('mean', [f], model.mean));
  graph.bytes(Graph.initializer, tensor('std', [f], model.std));
  graph.bytes(Graph.initializer, tensor('weights', [f, 1], model.weights));
  graph.bytes(Graph.initializer, tensor('bias', [1], Float32Array.of(model.bias)));
  graph.bytes(Graph.input, valueInfo(INPUT_NAME, ['N', f]));
  graph.bytes(Graph.output, valueInfo(OUTPUT_NAME, ['N', 1]));

  const out = new ProtoWriter()
    .varint(Model.irVersion, IR_VERSION)
    .string(Model.producer, 'tradeflow')
    .string(Model.producerVersion, '1')
    .varint(Model.modelVersion, 1)
    .string(Model.doc, options.doc)
    .bytes(Model.graph, graph)
    .bytes(Model.opset, new ProtoWriter().varint(2, OPSET));
  const props: [string, string][] = [['feature_names', JSON.stringify(model.featureNames)]];
  for (const key of Object.keys(model.metadata).sort()) {
    if (key !== 'feature_names') props.push([key, model.metadata[key]!]);
  }
  for (const [key, value] of props) out.bytes(Model.props, new ProtoWriter().string(1, key).string(2, value));
  return out.finish();
}

/** Thrown when a file is an ONNX model but not the logistic graph this module evaluates. */
export class ModelShapeError extends Error {
  override readonly name = 'ModelShapeError';
}

function floats(fields: readonly ProtoField[], name: string): { dims: number[]; values: Float32Array } {
  const dims = varintsOf(fields, Tensor.dims);
  const type = varintsOf(fields, Tensor.dataType)[0];
  if (type !== FLOAT) throw new ModelShapeError(`initializer "${name}" is not float32 (data_type ${type})`);
  const raw = bytesOf(fields, Tensor.rawData)[0];
  let values: Float32Array;
  if (raw !== undefined) {
    if (raw.length % 4 !== 0) throw new ModelShapeError(`initializer "${name}" has ${raw.length} raw bytes`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = new Float32Array(raw.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  } else {
    // float_data: packed (one length-delimited run) or one fixed32 per value.
    const list: number[] = [];
    for (const f of fields) {
      if (f.field !== Tensor.floatData) continue;
      if (f.wire === WireType.Fixed32) list.push(f.value);
      else if (f.wire === WireType.Bytes) {
        const v = new DataView(f.value.buffer, f.value.byteOffset, f.value.byteLength);
        for (let i = 0; i + 4 <= f.value.length; i += 4) list.push(v.getFloat32(i, true));
      }
    }
    values = Float32Array.from(list);
  }
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) {
    throw new ModelShapeError(
      `initializer "${name}" has ${values.length} values for dims [${dims.join(', ')}]`,
    );
  }
  return { dims, values };
}

/**
 * Reads a logistic model from ONNX bytes, checking that the graph is exactly the chain this module
 * evaluates (Sub, Div, MatMul, Add, Sigmoid over `features`, giving `probability`). Throws ProtoError
 * for bytes that are not protobuf, ModelShapeError for any other graph.
 */
export function decodeLogisticOnnx(bytes: Uint8Array): LogisticModel {
  const model = decodeFields(bytes);
  const graphBytes = bytesOf(model, Model.graph)[0];
  if (graphBytes === undefined) throw new ModelShapeError('the model has no graph');
  const graph = decodeFields(graphBytes);

  const metadata: Record<string, string> = {};
  for (const entry of bytesOf(model, Model.props)) {
    const e = decodeFields(entry);
    metadata[stringOf(e, 1) ?? ''] = stringOf(e, 2) ?? '';
  }

  const inits = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of bytesOf(graph, Graph.initializer)) {
    const fields = decodeFields(t);
    const name = stringOf(fields, Tensor.name) ?? '';
    inits.set(name, floats(fields, name));
  }

  const nodes = bytesOf(graph, Graph.node).map((n) => {
    const f = decodeFields(n);
    return {
      op: stringOf(f, Node.opType) ?? '',
      inputs: stringsOf(f, Node.input),
      outputs: stringsOf(f, Node.output),
    };
  });
  const ops = nodes.map((n) => n.op);
  if (ops.join(',') !== LOGISTIC_OPS.join(',')) {
    throw new ModelShapeError(
      `the graph's operators are [${ops.join(', ')}], not [${LOGISTIC_OPS.join(', ')}]`,
    );
  }
  let previous = INPUT_NAME;
  const byRole: Float32Array[] = [];
  for (const [i, node] of nodes.entries()) {
    if (node.inputs[0] !== previous || node.outputs.length !== 1) {
      throw new ModelShapeError(
        `node ${i} (${node.op}) does not take the previous node's output "${previous}"`,
      );
    }
    const role = INITIALIZERS[i];
    if (role !== undefined) {
      const init = inits.get(node.inputs[1] ?? '');
      if (!init) throw new ModelShapeError(`node ${i} (${node.op}) has no initializer as its second input`);
      byRole.push(init.values);
    } else if (node.inputs.length !== 1) {
      throw new ModelShapeError(`node ${i} (${node.op}) takes ${node.inputs.length} inputs`);
    }
    previous = node.outputs[0]!;
  }
  if (previous !== OUTPUT_NAME)
    throw new ModelShapeError(`the graph ends in "${previous}", not "${OUTPUT_NAME}"`);

  const [mean, std, weights, bias] = byRole as [Float32Array, Float32Array, Float32Array, Float32Array];
  let featureNames: unknown;
  try {
    featureNames = JSON.parse(metadata['feature_names'] ?? 'null');
  } catch {
    featureNames = null;
  }
  if (!Array.isArray(featureNames) || !featureNames.every((n) => typeof n === 'string')) {
    throw new ModelShapeError('the metadata has no "feature_names" (a JSON array of strings)');
  }
  const f = featureNames.length;
  if (mean.length !== f || std.length !== f || weights.length !== f || bias.length !== 1) {
    throw new ModelShapeError(
      `the initializers do not fit ${f} features (mean ${mean.length}, std ${std.length}, weights ${weights.length}, bias ${bias.length})`,
    );
  }
  if (std.some((s) => !(s > 0))) throw new ModelShapeError('a std in the graph is not positive');
  return { featureNames, mean, std, weights, bias: bias[0]!, metadata };
}

/**
 * Returns the model's probability for one feature row, as the ONNX graph computes it: the inputs are
 * rounded to float32 as they would be in the input tensor, Sub and Div round to float32 as the graph's
 * float32 ops do (so they match onnxruntime bit for bit); the dot product and sigmoid run in float64,
 * within ~1e-7 of onnxruntime's float32 MatMul and Sigmoid.
 */
export function logisticProbability(m: LogisticModel, x: ArrayLike<number>): number {
  const { mean, std, weights } = m;
  let z = 0;
  for (let j = 0; j < weights.length; j++) {
    const scaled = Math.fround(Math.fround(Math.fround(x[j]!) - mean[j]!) / std[j]!);
    z += scaled * weights[j]!;
  }
  z += m.bias;
  return 1 / (1 + Math.exp(-z));
}
