/** JSON schema of {@link SinkOptions} (validated on `PUT /__sim/sink/:name`). */
export const sinkOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    secret: { type: 'string', minLength: 1 },
    legacySecret: { type: 'string', minLength: 1 },
    failNext: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // 200 and up: a 1xx answer is not final and leaves the sender waiting.
        status: { type: 'integer', minimum: 200, maximum: 599 },
        count: { type: 'integer', minimum: 0 },
        retryAfterSeconds: { type: 'integer', minimum: 0 },
      },
      required: ['status', 'count'],
    },
    mode: { type: 'string', enum: ['ok', 'gone', 'hang', 'slow'] },
    delayMs: { type: 'integer', minimum: 0 },
    status: { type: 'integer', minimum: 200, maximum: 299 },
  },
} as const;
