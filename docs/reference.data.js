// Build-time data for the element reference: read from the Custom Elements Manifest that
// `npm run build:cem` writes from the source's JSDoc, so the tables cannot drift from the code.
import { readFileSync } from 'node:fs';

const MANIFEST = new URL('../custom-elements.json', import.meta.url);

const text = (type) => type?.text ?? '';

/** The public API of `<doctor-gate>`, as tables' rows. */
export function referenceFrom(manifest) {
  const element = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .find((declaration) => declaration.tagName === 'doctor-gate');
  if (!element) throw new Error('custom-elements.json declares no <doctor-gate>');
  const members = (element.members ?? []).filter((member) => !member.privacy || member.privacy === 'public');
  const fields = members.filter((member) => member.kind === 'field' && !member.static);
  const byField = new Map(fields.map((field) => [field.name, field]));
  return {
    summary: element.summary ?? '',
    description: element.description ?? '',
    attributes: (element.attributes ?? []).map((attribute) => ({
      name: attribute.name,
      property: attribute.fieldName ?? '',
      type: text(attribute.type),
      default: attribute.default ?? byField.get(attribute.fieldName)?.default ?? '',
      description: attribute.description ?? byField.get(attribute.fieldName)?.description ?? '',
    })),
    properties: fields.map((field) => ({
      name: field.name,
      attribute: field.attribute ?? '',
      type: text(field.type),
      readonly: field.readonly === true,
      description: field.description ?? '',
    })),
    methods: members
      .filter((member) => member.kind === 'method')
      .map((method) => ({
        name: method.static ? `DoctorGate.${method.name}` : method.name,
        signature: `(${(method.parameters ?? [])
          .map((p) => `${p.name}${p.type ? `: ${text(p.type)}` : ''}${p.default ? ` = ${p.default}` : ''}`)
          .join(', ')}): ${text(method.return?.type) || 'void'}`,
        description: method.description ?? '',
      })),
    events: (element.events ?? []).map((event) => ({
      name: event.name,
      type: text(event.type),
      description: event.description ?? '',
    })),
    parts: (element.cssParts ?? []).map(({ name, description }) => ({ name, description: description ?? '' })),
    slots: (element.slots ?? []).map(({ name, description }) => ({
      name: name || '(default)',
      description: description ?? '',
    })),
    cssProperties: (element.cssProperties ?? []).map(({ name, description, default: value }) => ({
      name,
      default: value ?? '',
      description: description ?? '',
    })),
  };
}

export default {
  watch: ['../custom-elements.json'],
  load() {
    return referenceFrom(JSON.parse(readFileSync(MANIFEST, 'utf8')));
  },
};
