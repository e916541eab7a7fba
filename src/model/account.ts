// The name of the account every run has: config, execution, storage and the CLI all read it, so it sits
// with the values they share rather than in the execution layer.

/** The name of the account built from the session's `broker` section. */
export const DEFAULT_ACCOUNT = 'default';
