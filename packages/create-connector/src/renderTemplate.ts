/**
 * Replaces every `{{key}}` in `template` with `values[key]`. An unknown key
 * is an error rather than an empty string, so a typo in a template cannot
 * ship a broken file.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_all, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return v;
  });
}
