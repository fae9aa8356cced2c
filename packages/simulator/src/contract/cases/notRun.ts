/** Marks the running case pending with its reason in the title (mocha counts it pending, never passed). */
export function notRun(context: Mocha.Context, reason: string): never {
  if (context.test) context.test.title += ` (pending: ${reason})`;
  context.skip();
}
