import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AlreadyExistsException, NotFoundException } from '../errors.js';
import { BadRequestException, ConflictException, ForbiddenException } from '../worker/herder-errors.js';

// Kafka Connect's ConnectExceptionMapper: every error answer is `{"error_code", "message"}` with the
// status given by the kind of exception.

export interface ErrorBody {
  error_code: number;
  message: string;
}

/** An error with an explicit HTTP status (e.g. 401 from basic auth, 500 "Request timed out"). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof NotFoundException) return 404;
  if (error instanceof AlreadyExistsException || error instanceof ConflictException) return 409;
  if (error instanceof BadRequestException) return 400;
  if (error instanceof ForbiddenException) return 403;
  const fastifyError = error as Partial<FastifyError>;
  return typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
}

export function sendError(reply: FastifyReply, error: unknown, request?: FastifyRequest): FastifyReply {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status >= 500) request?.log.error({ err: error }, `Uncaught exception in REST call to ${request.url}`);
  return reply
    .code(status)
    .type('application/json')
    .send({ error_code: status, message } satisfies ErrorBody);
}
