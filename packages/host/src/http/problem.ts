import type { NextFunction, Request, Response } from 'express';
import { isConnectorError, isRelaypointError, validateAgainstSchema, type JsonSchema } from '@relaypoint/core';
import { HostError, HostErrorCodes } from '../HostError.js';
import { IssuanceError, type IssuanceErrorCode } from '../issuance/IssuanceError.js';
import { ctx } from './requestContext.js';
import { isStoreUnavailable } from '../store/isStoreUnavailable.js';

/** `Retry-After` of a 503 `STORE_UNAVAILABLE`, in seconds: a database restart or failover usually takes a few. */
const STORE_RETRY_AFTER_SECONDS = 5;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The HTTP status of each refusal of the issuance path. */
const ISSUANCE_STATUS: Record<IssuanceErrorCode, number> = {
  SHUTTING_DOWN: 503,
  UNKNOWN_CONNECTOR: 400,
  INVALID_REFERENCE: 400,
  REFERENCE_CONFLICT: 409,
  VALIDATION_FAILED: 400,
};

/** The RFC 9457 problem document every error answer carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: string[];
  requestId?: string;
  [extra: string]: unknown;
}

/** Sends `application/problem+json`. */
export function sendProblem(res: Response, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): void {
  const body: Problem = {
    type: `https://relaypoint.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
  const requestId = res.getHeader('x-request-id');
  if (typeof requestId === 'string') body.requestId = requestId;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** Throws `VALIDATION_FAILED` (400) with one `path: message` line per problem when `value` does not match. */
export function validateOrThrow(schema: JsonSchema, value: unknown, prefix: string): void {
  const errors = validateAgainstSchema(schema, value, { pathPrefix: prefix });
  if (errors.length > 0) {
    throw new HostError(
      400,
      HostErrorCodes.VALIDATION_FAILED,
      errors.length === 1 ? errors[0] : `${errors.length} problems in the request`,
      { errors },
    );
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
}

/** Maps any thrown error to a problem document; a client's mistake is never a 500. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HostError) {
    sendProblem(res, err.status, String(err.code), err.message, { ...(err.errors ? { errors: err.errors } : {}), ...(err.extra ?? {}) });
    return;
  }
  if (err instanceof IssuanceError) {
    sendProblem(res, ISSUANCE_STATUS[err.code as IssuanceErrorCode] ?? 400, String(err.code), err.message, {
      ...(err.errors ? { errors: err.errors } : {}),
      ...(err.extra ?? {}),
    });
    return;
  }
  const bp = err as BodyParserError;
  if (bp && typeof bp.type === 'string') {
    switch (bp.type) {
      case 'entity.parse.failed':
        return sendProblem(res, 400, HostErrorCodes.MALFORMED_JSON, 'the request body is not valid JSON');
      case 'entity.too.large':
        return sendProblem(res, 413, HostErrorCodes.PAYLOAD_TOO_LARGE, 'the request body is larger than the server accepts');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendProblem(res, 415, HostErrorCodes.UNSUPPORTED_MEDIA_TYPE, bp.message ?? 'unsupported body encoding');
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return sendProblem(res, 400, HostErrorCodes.MALFORMED_JSON, 'the request body could not be read');
    }
  }
  if (isConnectorError(err) && err.outcome === 'not_sent' && (err.name === 'ValidationError' || String(err.code).startsWith('INVALID_'))) {
    const field = (err.details as { field?: string } | undefined)?.field;
    sendProblem(res, 400, String(err.code), err.message, { errors: [`body.${field ?? 'params'}: ${err.message}`] });
    return;
  }
  if (isRelaypointError(err)) {
    const code = String(err.code);
    if (code === 'EVENT_INVALID') {
      return sendProblem(res, 400, code, err.message, { errors: (err as unknown as { errors?: string[] }).errors ?? [] });
    }
    // A retry of a delivery being attempted, or of a deleted webhook's, or a test event for a stopped one: the request is fine, the state refuses it.
    if (code === 'DELIVERY_IN_FLIGHT' || code === 'SUBSCRIPTION_DELETED' || code === 'SUBSCRIPTION_INACTIVE')
      return sendProblem(res, 409, code, err.message);
    if (code.startsWith('WEBHOOK_')) {
      const field = (err.details as { field?: string } | undefined)?.field;
      return sendProblem(res, 400, code, err.message, field ? { errors: [`body.${field}: ${err.message}`] } : {});
    }
  }
  // The router throws a URIError with status 400 (and no `expose`) for a path parameter with a broken percent-escape.
  if (err instanceof URIError && bp.status === 400) {
    return sendProblem(res, 400, HostErrorCodes.VALIDATION_FAILED, 'the request path holds a malformed percent-escape', {
      errors: ['path: malformed percent-escape'],
    });
  }
  // Any other client-side failure the stack reports with a 4xx (an undecodable path segment, a broken gzip body...).
  if (bp && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
    const code =
      bp.status === 404
        ? HostErrorCodes.NOT_FOUND
        : bp.status === 413
          ? HostErrorCodes.PAYLOAD_TOO_LARGE
          : bp.status === 415
            ? HostErrorCodes.UNSUPPORTED_MEDIA_TYPE
            : HostErrorCodes.VALIDATION_FAILED;
    return sendProblem(res, bp.status, code, bp.expose && bp.message ? bp.message : 'the request could not be understood');
  }
  if (isStoreUnavailable(err)) {
    ctx(req)?.log.warn(
      { err: { name: (err as Error)?.name, message: (err as Error)?.message, code: (err as { code?: unknown })?.code } },
      'store unavailable',
    );
    res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    return sendProblem(
      res,
      503,
      HostErrorCodes.STORE_UNAVAILABLE,
      'the store is unreachable; retry later with the same reference (it is the idempotency key: nothing is issued twice)',
      { retryable: true },
    );
  }
  ctx(req)?.log.error(
    {
      err: {
        name: (err as Error)?.name,
        message: (err as Error)?.message,
        code: (err as { code?: unknown })?.code,
        stack: (err as Error)?.stack,
      },
    },
    'request failed',
  );
  sendProblem(res, 500, HostErrorCodes.INTERNAL, 'internal error; the request id identifies it in the host logs');
}

/**
 * A complete raw HTTP response (with a problem document) for a request
 * Node's parser refused: 431 for oversized headers, 408 for a request that
 * timed out, 400 otherwise.
 */
export function clientErrorResponse(parserCode: string | undefined): string {
  const [status, code, detail] =
    parserCode === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts']
      : parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
        : [400, 'MALFORMED_REQUEST', 'the request could not be parsed as HTTP'];
  const title = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const body = JSON.stringify({
    type: `https://relaypoint.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    detail,
    code,
  });
  return `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
