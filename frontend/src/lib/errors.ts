// The one way a failed call becomes what a form shows: the server's
// sentence for each field next to the input it belongs to, and its message
// for the form as a whole when no input of the form is named.
import { toApiError } from './api';

/** What a form shows for a failed call. */
export interface Shown {
  /** A sentence per input, keyed by the JSON path the server named. */
  fields: Record<string, string>;
  /** The sentence for the form as a whole; '' when every field named is shown at its input. */
  form: string;
}

/** The inputs a form shows errors at, by the JSON path the server names
 *  them with, each with the words that start its sentence ("Videos per
 *  week" + "must be between 0.1 and 50"); '' shows the server's sentence
 *  alone. A function answers undefined for a path the form has no input for. */
export type Inputs = Record<string, string> | ((path: string) => string | undefined);

// Field sentences arrive as predicates ("is required", "must be …"): they
// read after a subject. Anything else stands on its own.
const predicate = /^(is|are|must|needs?|has|have|cannot|can't|should|was|were|does|do|names)\b/;

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Joins the subject of an input and the server's sentence about it. */
export function sentence(subject: string, text: string): string {
  const t = text.trim();
  return subject && predicate.test(t) ? `${subject} ${t}` : capitalise(t);
}

/** Turns a failed call's error into what a form shows. */
export function showError(e: unknown, inputs: Inputs = {}): Shown {
  const err = toApiError(e);
  const subject = typeof inputs === 'function' ? inputs : (path: string) => (Object.hasOwn(inputs, path) ? inputs[path] : undefined);
  const fields: Record<string, string> = {};
  let elsewhere = false;
  for (const [path, text] of Object.entries(err.fields)) {
    const s = subject(path);
    if (s === undefined) elsewhere = true;
    else fields[path] = sentence(s, text);
  }
  return { fields, form: elsewhere || Object.keys(fields).length === 0 ? capitalise(err.message) : '' };
}

/** The one sentence to show where a form has a single place for errors. */
export function errorText(e: unknown, inputs: Inputs = {}): string {
  const s = showError(e, inputs);
  return s.form || Object.values(s.fields)[0] || '';
}
