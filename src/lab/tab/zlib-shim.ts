/**
 * `node:zlib` for just-bash's browser build, which imports it for `gzip`/`gunzip` (a browser has no
 * synchronous zlib). Those commands say they are not available in the tab; nothing else uses it.
 */
const missing = (): never => {
  throw new Error('gzip is not available in the in-tab lab');
};
export const gzipSync = missing;
export const gunzipSync = missing;
export const constants = {};
export default { gzipSync, gunzipSync, constants };
