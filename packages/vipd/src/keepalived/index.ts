// keepalived.conf → vipd config (`vipd import-keepalived`).

export { buildImportKeepalivedCommand } from './command.js';
export type { ImportCommandDeps } from './command.js';
export { convertKeepalived } from './convert.js';
export type { Conversion, ConvertOptions } from './convert.js';
export { KeepalivedConfigError } from './directive.js';
export type { Directive, SourceLocation } from './directive.js';
export { formatNote } from './notes.js';
export type { ConversionNote } from './notes.js';
export { readKeepalivedConfig, parseTokens } from './parse.js';
export type { KeepalivedConfig } from './parse.js';
export { renderImportedConfig } from './render.js';
export { searchScriptPath } from './command-line.js';
export type { CommandResolver } from './command-line.js';
