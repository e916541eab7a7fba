// Why a value a strategy returned is no signal: the field at fault and what is wrong, and how a message
// names the value it got.
/** Why a value a strategy returned is not a signal: the field at fault and what is wrong with its value. */
export class SignalProblem extends Error {
  override readonly name = 'SignalProblem';

  constructor(
    /** The field at fault (`quantity`, `metadata.a[2]`), or `signal` for the value as a whole. */
    readonly field: string,
    /** What is wrong, naming the value the strategy gave. */
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Names a value in a message, briefly and whatever it is (a string is cut, a BigInt keeps its `n`). */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
    case 'bigint':
      return `${value}n (a BigInt)`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      return `a ${kindOf(value)}`;
  }
}

/** Names the class of an object (`Date`, `Map`; `plain object`) without running the object's own code. */
function kindOf(o: object): string {
  const proto = Object.getPrototypeOf(o) as { constructor?: unknown } | null;
  if (proto === null || proto === Object.prototype) return 'plain object';
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'class instance';
}

/** Names a value and its type, for a field that wants another type. */
export const typed = (value: unknown): string =>
  typeof value === 'string' ? `${show(value)} (a string)` : show(value);
