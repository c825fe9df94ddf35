// docs/architecture.md maps each concern to its file: every path it names in backticks must exist, so a move that
// forgets the map fails here. File names are written as repository paths, never bare, so each one is checked.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
const spans = [...doc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());

/** A backticked span that names a path in this repository: starts with one of its top-level folders. */
const REPO_PATH = /^(src|test|docs|bench|scripts|bin|client|dashboard|prisma)\/[\w./-]*$/;
/**
 * A span that names a file without saying where it is (`recorder.ts`), which nothing could check. File names here
 * are lower case, so an API such as `Prisma.sql` is not one.
 */
const BARE_FILE = /^[a-z0-9][a-z0-9._-]*\.(ts|tsx|js|mjs|md|sql|json|graphql|prisma)$/;

const paths = [...new Set(spans.filter((s) => REPO_PATH.test(s)))];

describe('docs/architecture.md', () => {
  it('names paths (the extraction found them)', () => {
    expect(paths.length).toBeGreaterThan(30);
  });

  it('names only paths that exist', () => {
    const missing = paths.filter((p) => !existsSync(path.join(root, p)));
    expect(missing, 'paths named in docs/architecture.md that do not exist').toEqual([]);
  });

  it('names folders with a trailing slash and files without', () => {
    const wrongKind = paths.filter((p) => {
      const full = path.join(root, p);
      return existsSync(full) && statSync(full).isDirectory() !== p.endsWith('/');
    });
    expect(wrongKind).toEqual([]);
  });

  it('names every file by its repository path, not a bare file name', () => {
    expect(spans.filter((s) => BARE_FILE.test(s))).toEqual([]);
  });
});
