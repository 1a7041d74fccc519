/** Lab progress, per lab, in localStorage (personal; never sent anywhere). */
export interface LabProgress {
  done: string[];
  /** Steps the learner completed with "Solve this step" (their solution is replayed after a reload). */
  solved: string[];
  hints: Record<string, number>;
  startedAt?: number;
  /** Recorded mode: the step the learner is reading (the walkthrough has no checks to pass). */
  readingStep?: string;
}

const key = (lab: string) => `onramp:lab:${lab}`;

export function loadProgress(lab: string): LabProgress {
  try {
    const raw = JSON.parse(localStorage.getItem(key(lab)) ?? 'null') as Partial<LabProgress> | null;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
    const reading = typeof raw?.readingStep === 'string' ? { readingStep: raw.readingStep } : {};
    return { done: strings(raw?.done), solved: strings(raw?.solved), hints: raw?.hints && typeof raw.hints === 'object' ? raw.hints : {}, startedAt: raw?.startedAt, ...reading };
  } catch {
    return { done: [], solved: [], hints: {} };
  }
}

export function saveProgress(lab: string, progress: LabProgress): void {
  try {
    localStorage.setItem(key(lab), JSON.stringify(progress));
  } catch {
    /* storage full or disabled: progress lasts for the page */
  }
}

export function clearProgress(lab: string): void {
  try {
    localStorage.removeItem(key(lab));
  } catch {
    /* ignore */
  }
}
