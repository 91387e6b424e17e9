import { ConnectException } from '../errors.js';

// Failures of a herder request that the REST layer turns into a status code. NotFoundException (404)
// and AlreadyExistsException (409) come from ../errors.ts; these are the other kinds Kafka Connect uses.

/** 400: the request itself is wrong (invalid config, name mismatch, connector not STOPPED...). */
export class BadRequestException extends ConnectException {}

/** 403: the endpoint is disabled by worker config (topic tracking). */
export class ForbiddenException extends ConnectException {}

/** 409: the request conflicts with cluster state (distributed mode: rebalance in progress, no leader yet). */
export class ConflictException extends ConnectException {}
