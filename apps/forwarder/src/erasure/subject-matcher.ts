// Which stored lines belong to a data subject. A line is an event as the collector stored it,
// or a quarantine record `{reason, event, receivedAt}` whose `event` is the raw event; either
// belongs to the subject when its `userId` or `anonymousId` is one of the subject's ids, or when
// it is an alias whose `previousId` is (an alias links the subject's old id to the new one).

/** The person whose events are erased: at least one id. */
export interface Subject {
  userId?: string;
  anonymousId?: string;
}

/** Where a matching line was found: an event, or a quarantined event. */
export type SubjectMatch = 'event' | 'quarantine';

export interface SubjectMatcher {
  /** Where the line belongs to the subject; undefined when it does not; 'unparsed' when it is no JSON. */
  match(line: string): SubjectMatch | 'unparsed' | undefined;
}

/** Throws unless the subject names at least one non-empty id. */
export function assertSubject(subject: Subject): void {
  const ids = [subject.userId, subject.anonymousId];
  if (ids.every((id) => id === undefined)) {
    throw new TypeError('an erasure needs a userId or an anonymousId');
  }
  if (ids.some((id) => id !== undefined && (typeof id !== 'string' || id.length === 0))) {
    throw new TypeError('userId and anonymousId must be non-empty strings');
  }
}

export function createSubjectMatcher(subject: Subject): SubjectMatcher {
  assertSubject(subject);
  const ids = [subject.userId, subject.anonymousId].filter((id): id is string => id !== undefined);
  // Parsing every line is the slow part; a line that holds an id's JSON text can match, and so
  // can one with any escape (JSON may spell a character as \uXXXX). Others cannot.
  const needles = ids.map((id) => JSON.stringify(id).slice(1, -1));
  const isIdOf = (value: unknown, id: string | undefined): boolean =>
    id !== undefined && (value === id || (typeof value === 'number' && String(value) === id));
  const belongs = (event: unknown): boolean => {
    if (!isRecord(event)) return false;
    return (
      isIdOf(event.userId, subject.userId) ||
      isIdOf(event.anonymousId, subject.anonymousId) ||
      ids.some((id) => isIdOf(event.previousId, id))
    );
  };
  return {
    match(line) {
      if (!line.includes('\\') && !needles.some((needle) => line.includes(needle))) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return 'unparsed';
      }
      if (belongs(value)) return 'event';
      if (isRecord(value) && 'reason' in value && belongs(value.event)) return 'quarantine';
      return undefined;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
