// The one home of hand-written SQL. Every statement the service writes by hand is a named function in a file of
// this folder (one file per table or concern), in one idiom: pg's `$n` parameters, the statement's text beside the
// function that runs it, and its rows mapped to the domain's camelCase types in the same file. Prisma serves CRUD
// and the API's reads; nothing else in `src/` holds SQL (`test/architecture.test.ts` fails when something does).
import type pg from 'pg';

/** What a statement runs on: the pool, or the client of a transaction (`inTransaction`). */
export type Queryable = pg.Pool | pg.ClientBase;
