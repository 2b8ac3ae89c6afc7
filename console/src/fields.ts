// Where an API error's `field` lives in a form. Inputs and fieldsets carry
// data-field="<API field>"; the API may name a more precise path
// ("config.methods[1]", "credentials.base_url") or a less precise one
// ("config"), so we look for the closest element that is there.

// "config.methods[1]" -> ["config.methods[1]", "config.methods", "config"].
export function fieldCandidates(field: string): string[] {
  const out: string[] = [];
  let f = field.trim();
  while (f) {
    if (!out.includes(f)) out.push(f);
    const indexed = f.replace(/\[\d+\]$/, '');
    if (indexed !== f) {
      f = indexed;
      continue;
    }
    const dot = f.lastIndexOf('.');
    if (dot < 0) break;
    f = f.slice(0, dot);
  }
  return out;
}

export interface FieldHost {
  querySelector(selector: string): Element | null;
}

export function findFieldElement(root: FieldHost, field: string): Element | null {
  for (const candidate of fieldCandidates(field)) {
    const el = root.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    if (el) return el;
  }
  return null;
}
