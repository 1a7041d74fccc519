/** localStorage keys for what the browser remembers about the reader (no cookies). */
export const STORAGE_KEYS = { persona: 'onramp:persona', visited: 'onramp:visited' } as const;

/** Most visited paths kept; older ones drop off first. */
export const VISITED_LIMIT = 500;
