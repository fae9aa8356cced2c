/**
 * Imports a package the host needs only for one feature (the demo's
 * simulator, the connector scaffolder), so a production install need not
 * carry it. When it is not installed, the error names the package, what
 * needs it and how to add it.
 */
export async function loadOptional<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(name)) {
      throw new Error(`${neededFor} needs ${name}, which is not installed; install it with: npm install ${name}`, { cause: e });
    }
    throw e;
  }
}
