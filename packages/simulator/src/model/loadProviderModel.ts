import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineProviderModel } from './defineProviderModel.js';
import { ModelDefinitionError, ModelErrorCodes } from './ModelDefinitionError.js';
import type { ProviderModel } from './ProviderModel.js';

/**
 * Imports a provider model from a module file (its default export, or a
 * named export `model`) and checks it with {@link defineProviderModel}.
 * Throws {@link ModelDefinitionError} whose `file` is the file: code
 * `SIM_MODEL_UNLOADABLE` when the module cannot be imported or exports no
 * model, `SIM_MODEL_INVALID` when the model is not a valid one.
 */
export async function loadProviderModel(file: string): Promise<ProviderModel> {
  let mod: Record<string, unknown>;
  if (!existsSync(resolve(file))) throw new ModelDefinitionError('', '', 'no such file', { code: ModelErrorCodes.MODEL_UNLOADABLE, file });
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ModelDefinitionError('', '', `cannot be imported (${err.code ? `${err.code}: ` : ''}${firstLine(err.message)})`, {
      code: ModelErrorCodes.MODEL_UNLOADABLE,
      file,
      cause: e,
    });
  }
  const candidate = isObject(mod.default) ? mod.default : mod.model;
  if (!isObject(candidate)) {
    const names = Object.keys(mod).join(', ') || 'nothing';
    throw new ModelDefinitionError(
      '',
      '',
      `exports no provider model (needs a default export or a named export "model"; found: ${names})`,
      { code: ModelErrorCodes.MODEL_UNLOADABLE, file },
    );
  }
  try {
    return defineProviderModel(candidate as unknown as ProviderModel);
  } catch (e) {
    if (e instanceof ModelDefinitionError) throw new ModelDefinitionError(e.modelId, e.path, e.problem, { code: e.code, file, cause: e });
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function firstLine(text: string): string {
  return String(text).split('\n')[0];
}
