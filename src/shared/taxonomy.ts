/** The fixed vocabularies every page is classified by. One place, used by the schema, search and the UI. */

export const KINDS = ['guide', 'playbook', 'decision', 'lab', 'workshop', 'reference', 'explanation'] as const;
export type Kind = (typeof KINDS)[number];

export const STAGES = ['onboard', 'build', 'deploy', 'operate', 'govern'] as const;
export type Stage = (typeof STAGES)[number];

export const SEVERITIES = ['routine', 'urgent', 'incident'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Human labels for filter values shown in search and finders. */
export function labelOf(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1).replace(/-/g, ' ');
}
