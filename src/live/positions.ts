// Positions in live streams, as clients see them: an opaque string on every message of a resumable subscription,
// passed back as `after` to get exactly what came after that message. A position is `p1.` + base64url(JSON
// [tag, ...parts]): `tag` binds it to its stream (what kind, which project, which job or webhook: a hash, so the
// position stays short however long a job id is), `parts` say where in that stream it is. A position from another
// stream is refused with a ValidationError naming `after`, never read as a place in this one. Positions are not
// secrets: whatever a position names is looked up again within the caller's project.
import { createHash } from 'node:crypto';
import { ValidationError } from '../app/errors.js';

const VERSION = 'p1.';

/** One stream: the events of a job, the deliveries of a webhook (`what` names it in error messages: "job"). */
export type Stream = { kind: string; what: string; projectId: string; id: string };

const tagOf = ({ kind, projectId, id }: Stream) =>
  createHash('sha256').update(`${kind}\0${projectId}\0${id}`).digest('base64url').slice(0, 12);

export function encodePosition(stream: Stream, parts: readonly string[]): string {
  return VERSION + Buffer.from(JSON.stringify([tagOf(stream), ...parts])).toString('base64url');
}

/**
 * The parts of a position in `stream`, checked by `valid` (their number and form); a ValidationError on `field`
 * for anything else: a string this server never issued, or a position of another stream.
 */
export function decodePosition(stream: Stream, position: string, valid: (parts: string[]) => boolean, field = 'after'): string[] {
  let decoded: unknown;
  try {
    decoded = position.startsWith(VERSION) ? JSON.parse(Buffer.from(position.slice(VERSION.length), 'base64url').toString()) : null;
  } catch {
    decoded = null;
  }
  if (!Array.isArray(decoded) || decoded.length < 1 || !decoded.every((part) => typeof part === 'string')) {
    throw new ValidationError(field, (f) => `${f} is not a position: pass the \`position\` of a message this subscription sent`);
  }
  const [tag, ...parts] = decoded as string[];
  if (tag !== tagOf(stream)) {
    throw new ValidationError(
      field,
      (f) => `${f} is a position of another ${stream.what} (or another project): a position resumes only the stream that sent it`,
    );
  }
  if (!valid(parts)) {
    throw new ValidationError(field, (f) => `${f} is not a position: pass the \`position\` of a message this subscription sent`);
  }
  return parts;
}

/** The ValidationError for a position whose successors retention has purged. */
export function olderThanRetention(field = 'after'): ValidationError {
  return new ValidationError(
    field,
    (f) => `${f} is older than retention (RETENTION_DAYS): what came after it was purged; subscribe without ${f} to start from now`,
  );
}
