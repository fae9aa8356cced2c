import ts from 'typescript';

/**
 * Names exported by the module `entryFile` (following `export { x } from`
 * re-exports to the declaration) whose declaration carries no TSDoc comment
 * (`/** ... *\/` with text or tags); a re-export from another package counts
 * as documented when the re-export statement carries one. Sorted.
 */
export function findUndocumentedExports(entryFile: string): string[] {
  const program = ts.createProgram([entryFile], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    resolveJsonModule: true,
    allowJs: false,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entryFile);
  if (!source) throw new Error(`cannot read ${entryFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return [];
  const offenders: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = (target.declarations ?? []).filter((d) => !ts.isSourceFile(d));
    if (declarations.length === 0) {
      offenders.push(`${exported.name} (no declaration found)`);
      continue;
    }
    const hasDoc = (node: ts.Node) =>
      ts
        .getJSDocCommentsAndTags(node)
        .some(
          (doc) =>
            ts.isJSDoc(doc) &&
            ((doc.comment !== undefined && ts.getTextOfJSDocComment(doc.comment)?.trim()) || (doc.tags?.length ?? 0) > 0),
        );
    // A type re-exported from a dependency (`export type { DependencyContainer } from 'tsyringe'`) is documented where it is re-exported.
    const reexport = (exported.declarations ?? [])
      .map((d) => (ts.isExportSpecifier(d) ? d.parent.parent : undefined))
      .filter((d): d is ts.ExportDeclaration => d !== undefined);
    const documented =
      declarations.some(hasDoc) ||
      reexport.some(
        (d) =>
          d.moduleSpecifier !== undefined && ts.isStringLiteral(d.moduleSpecifier) && !d.moduleSpecifier.text.startsWith('.') && hasDoc(d),
      );
    if (!documented) {
      const d = declarations[0];
      const file = d.getSourceFile();
      const { line } = file.getLineAndCharacterOfPosition(d.getStart());
      offenders.push(`${exported.name} (${file.fileName.split('/src/').pop()}:${line + 1})`);
    }
  }
  return offenders.sort();
}
