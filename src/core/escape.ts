// Makes text read from files safe to print: control characters, terminal escapes and invisible direction
// marks are shown as escapes, and long text is cut, before it reaches a terminal, a log or an error.

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidirectional overrides and
 * isolates (which reorder what a terminal shows), zero-width characters and the BOM, and U+FFFD (what an
 * invalid UTF-8 byte decodes to, shown so that the reader knows the file had one). Tab is kept.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffd]/g;

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** The most characters of file text quoted in one message, by default. */
export const QUOTE_MAX_CHARS = 120;

/**
 * Returns `text` safe for a terminal or a log line: each unsafe character (see above) becomes `\xNN` or
 * `\uNNNN`, and text longer than `maxChars` is cut with a note of how much was left out.
 */
export function escapeText(text: string, maxChars: number = QUOTE_MAX_CHARS): string {
  const cut = text.length > maxChars ? text.slice(0, maxChars) : text;
  const safe = cut.replace(UNSAFE, escapeChar);
  return cut === text ? safe : `${safe}... (${text.length - maxChars} more characters)`;
}

/** Returns `text` escaped as escapeText does, but keeps line breaks: for whole messages and stack traces. */
export function escapeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeText(line, Number.POSITIVE_INFINITY))
    .join('\n');
}
