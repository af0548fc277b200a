/**
 * Custom Elements Manifest (`npm run build:cem` → custom-elements.json), from the JSDoc of
 * src/element/doctor-gate.ts. The plugin below fixes what the analyzer cannot infer on its own.
 */
export default {
  exclude: ['src/cli/**', 'src/**/*.test.ts', 'src/**/*.d.ts', 'src/react.ts', 'src/properties.ts'],
  outdir: '.',
  litelement: true,
  // The `customElements` field is kept in package.json by hand; the analyzer must not rewrite that file.
  packagejson: false,
  plugins: [doctorGateManifest()],
};

/**
 * - Lit's internal reactive state (`_state: { state: true }`) and `#private` members are not API.
 * - `#emit(type, …)` makes the analyzer invent an event named after the variable: only the events
 *   documented with `@fires` (they have a description) are real.
 * - The reflected `state` attribute (`@attr`) belongs to the read-only `state` property.
 * - `DoctorGate.define()` in define.ts and iife.ts registers the tag: say so as a
 *   `custom-element-definition` export, which is what tools use to find the tag's module
 *   (and drop the bogus one the analyzer reads from inside `static define()`).
 */
function doctorGateManifest() {
  const definitions = [];
  return {
    name: 'doctor-gate-manifest',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isExpressionStatement(node) || !ts.isSourceFile(node.parent)) return;
      const call = node.expression;
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return;
      const { expression: target, name } = call.expression;
      if (name.text !== 'define' || !ts.isIdentifier(target)) return;
      const [tag] = call.arguments;
      definitions.push({
        module: moduleDoc.path,
        className: target.text,
        tag: tag && ts.isStringLiteral(tag) ? tag.text : undefined,
      });
    },
    packageLinkPhase({ customElementsManifest }) {
      const elements = new Map();
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (!declaration.customElement) continue;
          elements.set(declaration.name, { declaration, module: mod.path });
          const isPrivate = (name) => name.startsWith('_') || name.startsWith('#');
          declaration.members = (declaration.members ?? []).filter(
            (m) => m.privacy !== 'private' && !isPrivate(m.name),
          );
          declaration.attributes = (declaration.attributes ?? []).filter(
            (a) => !isPrivate(a.name) && !isPrivate(a.fieldName ?? ''),
          );
          declaration.events = (declaration.events ?? []).filter((event) => event.description);
          for (const attribute of declaration.attributes) {
            if (
              !attribute.fieldName &&
              declaration.members.some((m) => m.kind === 'field' && m.name === attribute.name)
            ) {
              attribute.fieldName = attribute.name;
            }
          }
        }
      }
      // The analyzer reads `customElements.define(tag, this)` inside `static define()` as a definition of
      // a class named `anonymous_0`: keep only definitions of real element classes.
      for (const mod of customElementsManifest.modules) {
        mod.exports = mod.exports?.filter(
          (e) => e.kind !== 'custom-element-definition' || elements.has(e.declaration.name),
        );
      }
      for (const { module, className, tag } of definitions) {
        const element = elements.get(className);
        const mod = customElementsManifest.modules.find((m) => m.path === module);
        const name = tag ?? element?.declaration.tagName;
        if (!element || !mod || !name) continue;
        mod.exports = mod.exports ?? [];
        mod.exports.push({
          kind: 'custom-element-definition',
          name,
          declaration: { name: className, module: element.module },
        });
      }
    },
  };
}
