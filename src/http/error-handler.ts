import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, ERROR_STATUS, errorBody, type ErrorCode } from '../errors.js';
import { TelecmiError } from '../telecmi/index.js';

/** Fastify's own error codes that are the client's doing, with ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
};

interface ValidationIssue {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
  message?: string;
}

/**
 * The one place where errors become answers: `{"ok":false,"error":{"code","message"}}` with the status of the
 * code (errors.ts). Bad input is never a 5xx; an unexpected error is a 500 without internals, logged in full.
 */
export function createErrorHandler(options: {
  bodyLimitBytes: number;
  /** Told of every error answer, e.g. to count refused ingest requests. */
  onError?: (code: ErrorCode, request: FastifyRequest) => void;
}) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { code, message } = describe(error, request, options);
    const status = ERROR_STATUS[code];
    options.onError?.(code, request);
    if (status >= 500 && code !== 'STORE_UNAVAILABLE' && code !== 'SHUTTING_DOWN') {
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    } else if (code === 'STORE_UNAVAILABLE') {
      request.log.error({ err: error }, 'store unavailable: answered 503');
    }
    return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  };
}

function describe(error: FastifyError | Error, request: FastifyRequest, limits: { bodyLimitBytes: number }) {
  if (error instanceof AppError || error instanceof TelecmiError)
    return { code: error.code, message: error.message };
  const fastifyError = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fastifyError.validation)
    return { code: 'QUERY_INVALID' as const, message: describeValidation(fastifyError, request) };
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped === 'PAYLOAD_TOO_LARGE') {
    return {
      code: mapped,
      message: `The body is larger than the limit of ${limits.bodyLimitBytes} bytes (setting TELEHOOK_BODY_LIMIT).`,
    };
  }
  if (mapped) return { code: mapped, message: fastifyError.message };
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return { code: 'BAD_REQUEST' as const, message: fastifyError.message };
  return { code: 'INTERNAL' as const, message: 'An unexpected error occurred; it has been logged.' };
}

function describeValidation(
  error: { validation?: ValidationIssue[]; validationContext?: string },
  request: FastifyRequest,
): string {
  const issue = error.validation?.[0] ?? {};
  const name =
    issue.params?.missingProperty ??
    issue.params?.additionalProperty ??
    issue.instancePath?.replace(/^\//, '').split('/')[0] ??
    '';
  const where = error.validationContext === 'querystring' ? 'Query parameter' : 'Field';
  // The whole body (a string where an object is expected): there is no field to name.
  if (name === '')
    return `The ${error.validationContext ?? 'body'} is invalid: ${issue.message ?? 'bad value'}.`;
  if (issue.params?.additionalProperty) return `${where} "${name}" is not known here.`;
  const schema = request.routeOptions.schema as
    { querystring?: { properties?: Record<string, { description?: string }> } } | undefined;
  const accepts = schema?.querystring?.properties?.[name]?.description;
  return `${where} "${name}" is invalid: ${accepts ? `expected ${accepts}` : (issue.message ?? 'bad value')}.`;
}

/** Unknown routes answer 404 in the same JSON shape. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`));
}
