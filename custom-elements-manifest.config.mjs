import { customElementVsCodePlugin } from 'custom-element-vs-code-integration';
import { customElementJetBrainsPlugin } from 'custom-element-jet-brains-integration';

/**
 * Custom Elements Manifest (`npm run build:cem` → custom-elements.json), from the JSDoc of
 * src/element/doctor-gate.ts, and the editor data generated from it: VS Code custom data
 * (dist/vscode.html-custom-data.json) and JetBrains web-types (dist/web-types.json).
 * The plugin below fixes what the analyzer cannot infer on its own; it runs first, so the editor
 * data is made from the cleaned manifest.
 */
export default {
  exclude: [
    'src/cli/**',
    'src/cli.ts',
    'src/server/**',
    'src/server.ts',
    'src/**/*.test.ts',
    'src/**/*.d.ts',
    'src/frameworks/**',
  ],
  outdir: '.',
  litelement: true,
  // The `customElements` field is kept in package.json by hand; the analyzer must not rewrite that file.
  packagejson: false,
  plugins: [
    doctorGateManifest(),
    customElementVsCodePlugin({
      outdir: 'dist',
      htmlFileName: 'vscode.html-custom-data.json',
      cssFileName: 'vscode.css-custom-data.json',
      hideLogs: true,
    }),
    customElementJetBrainsPlugin({
      outdir: 'dist',
      webTypesFileName: 'web-types.json',
      packageJson: false,
      hideLogs: true,
    }),
  ],
};

/** Where each source module ships: the manifest names the files an integrator has. */
const SHIPPED = {
  'src/index.ts': 'dist/index.js',
  'src/define.ts': 'dist/define.js',
  'src/react.ts': 'dist/react.js',
  'src/iife.ts': 'dist/doctor-gate.iife.js',
};
const ELEMENT_MODULE = SHIPPED['src/index.ts'];

/** The framework-free API that `doctor-gate` exports beside the element (DESIGN.md, "Core API"). */
const PUBLIC_API = ['DoctorGateError', 'createClient', 'provisionDoctor', 'provisionDoctors', 'clearProvisionCache'];

/**
 * - Only public declarations: the element and the core API, all in the module that exports them
 *   (`dist/index.js`), not the source file or chunk that happens to hold them; no helper, no
 *   local variable.
 * - Types are written out: a union-of-literals alias (`VendorName`, `GateMode`, `Lang`) becomes
 *   its values, which is what editors can offer.
 * - Lit's internal reactive state (`_state: { state: true }`) and `#private` members are not API.
 * - `#emit(type, …)` makes the analyzer invent an event named after the variable: only the events
 *   documented with `@fires` (they have a description) are real.
 * - `DoctorGate.define()` in define.ts, react.ts and iife.ts registers the tag: each becomes a
 *   `custom-element-definition` export of the shipped file, which is what tools use to find the
 *   tag's module (and the bogus one the analyzer reads from inside `static define()` is dropped).
 */
function doctorGateManifest() {
  const definitions = [];
  const aliases = new Map();
  const exportedTypes = new Set();
  return {
    name: 'doctor-gate-manifest',
    analyzePhase({ ts, node, moduleDoc }) {
      const isExported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && isExported) {
        exportedTypes.add(node.name.text);
      }
      if (ts.isTypeAliasDeclaration(node) && ts.isUnionTypeNode(node.type)) {
        if (node.type.types.every((member) => ts.isLiteralTypeNode(member))) {
          aliases.set(node.name.text, node.type.types.map((member) => member.getText()).join(' | '));
        }
        return;
      }
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
      // What `doctor-gate` exports by name; `export *` chains are covered by `exportedTypes`
      // (test/node/manifest.test.js checks each listed name against dist/types/index.d.ts).
      const exported = new Set(
        customElementsManifest.modules
          .filter((mod) => mod.path === 'src/index.ts' || mod.path === 'src/core/index.ts')
          .flatMap((mod) => (mod.exports ?? []).map((e) => e.name)),
      );
      const declarations = customElementsManifest.modules.flatMap((mod) => mod.declarations ?? []);
      const element = declarations.find((declaration) => declaration.customElement && declaration.tagName);
      if (!element) throw new Error('custom-elements.json: no custom element found');
      cleanElement(element, (text) => spellOut(text, aliases));
      const api = PUBLIC_API.map((name) => {
        const declaration = declarations.find((d) => d.name === name && (d.kind === 'function' || d.kind === 'class'));
        if (!declaration) throw new Error(`custom-elements.json: ${name} not found`);
        return declaration;
      });
      const reference = (name) => ({ name, module: ELEMENT_MODULE });
      const definitionsOf = (source) =>
        definitions
          .filter((d) => d.module === source && d.className === element.name)
          .map((d) => ({
            kind: 'custom-element-definition',
            name: d.tag ?? element.tagName,
            declaration: reference(element.name),
          }));
      // The types the element's API names (event details, `Doctor`…), exported by the same module.
      const typeNames = [...new Set(JSON.stringify(element).match(/\b[A-Z]\w*\b/g))].filter(
        (name) => (exported.has(name) || exportedTypes.has(name)) && ![element, ...api].some((d) => d.name === name),
      );
      customElementsManifest.schemaVersion = '2.1.0';
      customElementsManifest.modules = [
        {
          kind: 'javascript-module',
          path: ELEMENT_MODULE,
          declarations: [element, ...api],
          exports: [...[element, ...api].map((d) => d.name), ...typeNames.sort()].map((name) => ({
            kind: 'js',
            name,
            declaration: reference(name),
          })),
        },
        ...['src/define.ts', 'src/react.ts', 'src/iife.ts'].map((source) => ({
          kind: 'javascript-module',
          path: SHIPPED[source],
          declarations: [],
          exports: definitionsOf(source),
        })),
      ];
    },
  };
}

/** The element's public API only, its types written out. */
function cleanElement(element, spell) {
  const isPrivate = (name) => name.startsWith('_') || name.startsWith('#');
  element.members = (element.members ?? []).filter((m) => m.privacy !== 'private' && !isPrivate(m.name));
  element.attributes = (element.attributes ?? []).filter((a) => !isPrivate(a.name) && !isPrivate(a.fieldName ?? ''));
  element.events = (element.events ?? []).filter((event) => event.description);
  for (const attribute of element.attributes) {
    if (!attribute.fieldName && element.members.some((m) => m.kind === 'field' && m.name === attribute.name)) {
      attribute.fieldName = attribute.name;
    }
  }
  for (const item of [...element.members, ...element.attributes]) {
    if (item.type?.text) item.type.text = spell(item.type.text);
    // The analyzer points inherited members at a source path; the class is shipped in one module.
    if (item.inheritedFrom?.module) item.inheritedFrom.module = ELEMENT_MODULE;
  }
  for (const member of element.members) {
    for (const parameter of member.parameters ?? [])
      if (parameter.type?.text) parameter.type.text = spell(parameter.type.text);
  }
}

/** `GateMode | undefined` → `'popup' | 'iframe' | 'none' | undefined`. */
function spellOut(text, aliases) {
  let spelled = text;
  for (let pass = 0; pass < 3; pass++) {
    for (const [name, values] of aliases) spelled = spelled.replace(new RegExp(`\\b${name}\\b`, 'g'), values);
  }
  return spelled;
}
