// Checks each signal where it leaves a strategy (inline or in a thread) and copies it into a clean value,
// so the router, the store and the thread boundary only ever see well-formed signals.
import { MAX_MAGNITUDE } from '../../model/bar.ts';
import type { OrderType, Signal, SignalAction } from '../../model/signal.ts';
import { copyOrderTerms } from './signal-order-check.ts';
import { show, SignalProblem, typed } from './signal-problem.ts';

export { show, SignalProblem } from './signal-problem.ts';

/** A signal's symbol is at most this long (no venue's symbol comes near it). */
export const MAX_SYMBOL_CHARS = 256;
/** A signal's reason is at most this long: it is recorded with the signal and the order. */
export const MAX_REASON_CHARS = 4096;
/** A signal's metadata, written as JSON, is at most this long. */
export const MAX_METADATA_CHARS = 16_384;
/** A signal's metadata nests at most this deep. */
export const MAX_METADATA_DEPTH = 32;

const ACTIONS: ReadonlySet<unknown> = new Set<SignalAction>([
  'BUY',
  'SELL',
  'CLOSE',
  'HOLD',
  'CANCEL',
  'REPLACE',
]);
const ORDER_TYPES: ReadonlySet<unknown> = new Set<OrderType>([
  'market',
  'limit',
  'stop',
  'stop_limit',
  'trailing_stop',
]);

/** A field the strategy left out: undefined, or null as JSON-minded code writes it. */
const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

/** Returns the number in `field`, or throws why it is not a finite number. */
function finite(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new SignalProblem(field, `${typed(v)} is not a finite number`);
}

/** Returns the number in `field`, or throws why it is not a finite number within `MAX_MAGNITUDE`. */
function bounded(field: string, v: unknown): number {
  const x = finite(field, v);
  if (Math.abs(x) <= MAX_MAGNITUDE) return x;
  throw new SignalProblem(
    field,
    `${x} is outside -1e15 .. 1e15 (larger values would overflow the run's books)`,
  );
}

/**
 * Checks a value a strategy returned as a signal and returns a clean copy of it (only the fields a signal
 * has, each read once, metadata copied as plain JSON data), or the problem that makes it no signal: an
 * action other than BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE; a symbol that is not a non-empty string; a BUY or SELL
 * without a quantity; a quantity, price or confidence that is not a finite number (quantity and price
 * within `MAX_MAGNITUDE`, confidence in [0, 1]); an order type other than market, limit, stop,
 * stop_limit or trailing_stop; order terms `copyOrderTerms` refuses (refs, time in force, stop-limit and
 * trailing terms, brackets, CANCEL and REPLACE); a reason that is not a string; metadata that is not a plain object of JSON data within
 * `MAX_METADATA_CHARS` and `MAX_METADATA_DEPTH`. A finite quantity or price the broker cannot use
 * (zero, negative, a limit order without a price) passes: the broker rejects the order and says why.
 */
export function checkSignal(value: unknown): Signal | SignalProblem {
  return checkSignalAt([value], 0);
}

/** Checks `list[index]` as `checkSignal` does; reading the element is part of the check (a proxy may throw). */
export function checkSignalAt(list: readonly unknown[], index: number): Signal | SignalProblem {
  try {
    return copySignal(list[index]);
  } catch (e) {
    if (e instanceof SignalProblem) return e;
    // A getter or a proxy threw while the signal was read.
    return new SignalProblem('signal', `reading it threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function copySignal(value: unknown): Signal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SignalProblem('signal', `${typed(value)} is not a signal object`);
  }
  const v = value as Record<string, unknown>;
  const action = v.action;
  if (!ACTIONS.has(action)) {
    throw new SignalProblem(
      'action',
      absent(action)
        ? 'missing; use BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE'
        : `${show(action)} is not BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE`,
    );
  }
  const symbol = v.symbol;
  if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > MAX_SYMBOL_CHARS) {
    const why =
      typeof symbol !== 'string' ? 'is not a string' : symbol.length === 0 ? 'is empty' : 'is too long';
    throw new SignalProblem('symbol', absent(symbol) ? 'missing' : `${typed(symbol)} ${why}`);
  }
  const out: { -readonly [K in keyof Signal]: Signal[K] } = { symbol, action: action as SignalAction };
  const quantity = v.quantity;
  if (!absent(quantity)) out.quantity = bounded('quantity', quantity);
  else if (action === 'BUY' || action === 'SELL') {
    throw new SignalProblem('quantity', `missing; a ${action} needs the number of shares`);
  }
  const orderType = v.orderType;
  if (!absent(orderType)) {
    if (!ORDER_TYPES.has(orderType)) {
      throw new SignalProblem(
        'orderType',
        `${show(orderType)} is not market, limit, stop, stop_limit or trailing_stop`,
      );
    }
    out.orderType = orderType as OrderType;
  }
  const price = v.price;
  if (!absent(price)) out.price = bounded('price', price);
  copyOrderTerms(v, out);
  const reason = v.reason;
  if (!absent(reason)) {
    if (typeof reason !== 'string') throw new SignalProblem('reason', `${typed(reason)} is not a string`);
    if (reason.length > MAX_REASON_CHARS) {
      throw new SignalProblem('reason', `${reason.length} characters, more than ${MAX_REASON_CHARS}`);
    }
    out.reason = reason;
  }
  const confidence = v.confidence;
  if (!absent(confidence)) {
    const c = finite('confidence', confidence);
    if (c < 0 || c > 1) throw new SignalProblem('confidence', `${c} is not within [0, 1]`);
    out.confidence = c;
  }
  const metadata = v.metadata;
  if (!absent(metadata)) out.metadata = copyMetadata(metadata);
  return out;
}

/** Walks metadata once: checks it is plain JSON data within bounds, and builds its copy. */
class MetadataCopier {
  /** Characters of JSON the copy takes so far (escapes in strings aside). */
  #chars = 0;
  /** The path from the metadata's root to the value being copied. */
  readonly #path: (string | number)[] = [];
  /** The objects and arrays being copied, to name a circular reference. */
  readonly #open: object[] = [];

  /** Names the value being copied, as a path from the signal (`metadata.a[2]`). */
  #field(): string {
    let s = 'metadata';
    for (const k of this.#path) s += typeof k === 'number' ? `[${k}]` : `.${k}`;
    return s;
  }

  #fail(problem: string): never {
    throw new SignalProblem(this.#field(), problem);
  }

  #count(chars: number): void {
    this.#chars += chars;
    if (this.#chars > MAX_METADATA_CHARS) {
      this.#path.length = 0;
      this.#fail(
        `more than ${MAX_METADATA_CHARS} characters as JSON; keep metadata small (it is stored with every signal)`,
      );
    }
  }

  /** Returns the copy of `value`, or throws the first problem found in it. */
  copy(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
        this.#count(value.length + 2);
        return value;
      case 'number':
        if (!Number.isFinite(value))
          this.#fail(`${value} is not a finite number (JSON has no NaN or Infinity)`);
        this.#count(String(value).length);
        return value;
      case 'boolean':
        this.#count(5);
        return value;
      case 'bigint':
        return this.#fail(`${show(value)} cannot be written as JSON; pass a number or a string`);
      case 'undefined':
      case 'function':
      case 'symbol':
        return this.#fail(`${show(value)} is not JSON data`);
      case 'object':
        break;
    }
    if (value === null) {
      this.#count(4);
      return null;
    }
    const obj = value;
    if (this.#open.includes(obj)) {
      const at = this.#open.indexOf(obj);
      this.#fail(`refers back to ${at === 0 ? 'metadata' : 'an enclosing value'} (a circular reference)`);
    }
    if (this.#open.length >= MAX_METADATA_DEPTH)
      this.#fail(`nested deeper than ${MAX_METADATA_DEPTH} levels`);
    this.#open.push(obj);
    const out = Array.isArray(obj) ? this.#array(obj as unknown[]) : this.#object(obj);
    this.#open.pop();
    return out;
  }

  #array(a: readonly unknown[]): unknown[] {
    this.#count(a.length + 1);
    const out = new Array<unknown>(a.length);
    for (let i = 0; i < a.length; i++) {
      this.#path.push(i);
      out[i] = this.copy(a[i]);
      this.#path.pop();
    }
    return out;
  }

  #object(o: object): Record<string, unknown> {
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      this.#fail(
        `${show(o)} is not plain JSON data; use plain objects, arrays, strings, numbers and booleans`,
      );
    }
    this.#count(2);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(o)) {
      const item = (o as Record<string, unknown>)[key];
      // As in JSON, a key whose value is undefined is left out.
      if (item === undefined) continue;
      this.#count(key.length + 4);
      this.#path.push(key);
      const copied = this.copy(item);
      this.#path.pop();
      // An own key "__proto__" stays a plain key, as JSON.parse makes it, and never sets the prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: copied,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = copied;
    }
    return out;
  }
}

function copyMetadata(metadata: unknown): Readonly<Record<string, unknown>> {
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new SignalProblem('metadata', `${typed(metadata)} is not a plain object`);
  }
  return new MetadataCopier().copy(metadata) as Record<string, unknown>;
}
