// ramp's version, printed by `ramp --version` and served as the V2 server metadata.
export const VERSION = '0.1.0';
