/** Error codes of model definition and loading, in one place. */
export const ModelErrorCodes = {
  /** The model's shape is wrong (route table, auth, products, …). */
  MODEL_INVALID: 'SIM_MODEL_INVALID',
  /** A `--model` module could not be imported or exports no model. */
  MODEL_UNLOADABLE: 'SIM_MODEL_UNLOADABLE',
} as const;

/** Options of {@link ModelDefinitionError}. */
export interface ModelDefinitionErrorOptions {
  /** Defaults to `SIM_MODEL_INVALID`. */
  code?: ModelDefinitionError['code'];
  /** The module file the model came from, when loaded from one. */
  file?: string;
  cause?: unknown;
}

/**
 * A provider model that is not one: `code` is stable, `modelId` names the
 * model, `path` the JSON-path-like place of the problem (`routes[2].path`),
 * `file` the module it came from. The message reads
 * `[file: ]model zapcash: routes[2].path: must start with "/"`, or
 * `file: problem` when the file holds no model at all.
 */
export class ModelDefinitionError extends Error {
  override readonly name = 'ModelDefinitionError';
  readonly code: (typeof ModelErrorCodes)[keyof typeof ModelErrorCodes];
  readonly modelId: string;
  readonly path: string;
  readonly problem: string;
  readonly file: string | undefined;

  constructor(modelId: string, path: string, problem: string, options: ModelDefinitionErrorOptions = {}) {
    const subject = modelId === '' ? '' : `model ${modelId}: ${path ? `${path}: ` : ''}`;
    super(
      `${options.file !== undefined ? `${options.file}: ` : ''}${subject}${problem}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code ?? ModelErrorCodes.MODEL_INVALID;
    this.modelId = modelId;
    this.path = path;
    this.problem = problem;
    this.file = options.file;
  }
}

/** Type guard for {@link ModelDefinitionError}. */
export function isModelDefinitionError(e: unknown): e is ModelDefinitionError {
  return e instanceof ModelDefinitionError;
}
