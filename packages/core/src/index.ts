export * from './errors.js';
export * from './config/def.js';
export * from './sink/api.js';
export * from './convert/api.js';
export * from './data/index.js';
