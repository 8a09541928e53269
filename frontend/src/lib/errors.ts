// The one way a failed call becomes what a form shows: the server's
// sentence for each field next to the input it belongs to, and its message
// for the form as a whole when no input of the form is named. Technical
// text (a Go error chain such as "dial tcp 127.0.0.1:5: connect: connection
// refused") never reaches the screen: plain() puts a sentence in its place
// and sends the text to the app's log.
import { call, toApiError } from './api';

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

// Fragments that only an engineer reads, each with what it means to a
// creator. The first that matches explains the text.
const reasons: [RegExp, string][] = [
  [/dbus|org\.freedesktop|secret ?service|keyring|gnome-keyring|kwallet/i, 'The system keyring is not available on this computer.'],
  [/x509|certificate|tls:|handshake/i, 'The secure connection was refused: its certificate was not accepted.'],
  [/no such host|server misbehaving|lookup [^ ]+ on /i, 'The address could not be found: check it, and the internet connection.'],
  [/connection refused|refused the connection|connect: |dial (tcp|udp)|network is unreachable|no route to host|EHOSTUNREACH|ECONNREFUSED/i, 'It could not be reached: check the address and the internet connection.'],
  [/deadline exceeded|i\/o timeout|timed? ?out|Client\.Timeout/i, 'It took too long to answer.'],
  [/connection reset|broken pipe|unexpected EOF|\bEOF\b|ECONNRESET/i, 'The connection broke off before the answer was complete.'],
  [/\b(401|403)\b|unauthori[sz]ed|forbidden|invalid api key|incorrect api key|invalid_api_key/i, 'The key was refused: check it in Settings.'],
  [/\b429\b|rate limit|too many requests/i, 'It asked to slow down (a rate limit); it is tried again later.'],
  [/\b5\d\d\b|overloaded|bad gateway|service unavailable/i, 'The service is having trouble at the moment; it is tried again later.'],
  [/exit status \d+|signal: |executable file not found|exec: /i, 'A program the app needs could not run.'],
  [/database is locked|SQLITE_BUSY/i, 'The app\'s database is busy: try again in a moment.'],
];

// What marks text as technical: fragments of Go's and the system's error
// texts, an address with a port, SQL, JSON decoding, a Go error chain
// ("a: b: c" in lower case). Words a person would write (rate limit,
// timed out, keyring) are explained above but do not mark text by
// themselves.
const technical = new RegExp(
  [
    String.raw`dial (tcp|udp)|connect: |connection refused|no such host|lookup \S+ on |i\/o timeout|deadline exceeded|Client\.Timeout`,
    String.raw`\bEOF\b|broken pipe|connection reset|ECONN\w+|EHOSTUNREACH|network is unreachable|no route to host`,
    String.raw`x509|tls: |dbus|org\.freedesktop|exec: |exit status \d+|executable file not found|signal: `,
    // an address with a port, but not inside a web address the user typed
    String.raw`(?<![/\w.])\d{1,3}(\.\d{1,3}){3}:\d+\b|\[[0-9a-f:]*\]:\d+`,
    String.raw`\bsql: |sqlite|database is locked|json: |invalid character|cannot unmarshal`,
    String.raw`\bpanic\b|goroutine|runtime error|nil pointer`,
    String.raw`\b(Get|Post|Put|Patch|Delete|Head) "`,
    String.raw`^[a-z][\w ./"-]*: [a-z"][\w ./"-]*: `,
  ].join('|'),
  'i',
);

const reported = new Set<string>();

/** Sends text the screen does not show to the app's log, once per text. */
export function report(where: string, text: string) {
  if (reported.has(text)) return;
  reported.add(text);
  console.warn(`[${where}] ${text}`);
  call('ReportUIError', where, text).catch(() => {
    /* the log is out of reach too: the console has it */
  });
}

/** True when text is an engineer's error text rather than a sentence. */
export function isTechnical(text: string): boolean {
  return technical.test(text);
}

/** text when it reads as a sentence; otherwise a plain sentence in its
 *  place, keeping the words before the technical part ("Could not reach
 *  Groq"), with the technical text sent to the log under where. */
export function plain(text: string | null | undefined, where = 'dashboard'): string {
  const t = (text ?? '').trim();
  if (!t || !isTechnical(t)) return t;
  report(where, t);
  // A sentence with the technical part in brackets reads well without it.
  const bare = t.replace(/\s*\(([^()]*)\)/g, (m, inner: string) => (isTechnical(inner) ? '' : m)).trim();
  if (bare && !isTechnical(bare)) return bare;
  const reason = reasons.find(([r]) => r.test(t))?.[1] ?? 'Something went wrong; the details are in the log.';
  // The lead: the words before the first ": " when they are not technical.
  const i = t.indexOf(': ');
  const lead = i > 0 ? t.slice(0, i).trim() : '';
  // Go errors start in lower case ("open keyring: …"); a sentence does not.
  if (lead && /^[A-Z]/.test(lead) && !isTechnical(lead) && /\s/.test(lead)) return `${capitalise(lead.replace(/[.:]$/, ''))}. ${reason}`;
  return reason;
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
    else fields[path] = plain(sentence(s, text), 'form field ' + path);
  }
  return { fields, form: elsewhere || Object.keys(fields).length === 0 ? plain(capitalise(err.message), 'form') : '' };
}

/** The one sentence to show where a form has a single place for errors. */
export function errorText(e: unknown, inputs: Inputs = {}): string {
  const s = showError(e, inputs);
  return s.form || Object.values(s.fields)[0] || '';
}
