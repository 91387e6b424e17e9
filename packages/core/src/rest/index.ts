export { createRestServer, listen, type RestServerOptions } from './server.js';
export { HttpError, statusOf, type ErrorBody } from './errors.js';
