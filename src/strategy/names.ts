// The naming rules of strategy modules: a file's base name gives its class name and its instance name.

/** Converts a file's base name to its class name: `simple_ma_cross` -> `SimpleMaCrossStrategy`. */
export function classNameForModule(baseName: string): string {
  const pascal = baseName
    .split(/[_\-\s]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return pascal.endsWith('Strategy') ? pascal : `${pascal}Strategy`;
}

/** Converts a class name to a default instance name: `SimpleMaCrossStrategy` -> `simple_ma_cross`. */
export function instanceNameForClass(className: string): string {
  return className
    .replace(/Strategy$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
