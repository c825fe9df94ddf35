// Helpers for the REST tests: a small JSON client, the error-shape assertion, and a runner for the guide's curls.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { startFixture } from './service.js';

export type RestResponse = { status: number; headers: Headers; text: string; body: any };

/** Calls the service; `body` is sent as JSON unless it is a string (sent as is, with the headers given). */
export const restClient =
  (httpUrl: string) =>
  async (
    key: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RestResponse> => {
    const json = body !== undefined && typeof body !== 'string';
    const response = await fetch(`${httpUrl}${path}`, {
      method,
      headers: {
        ...(key !== null && { authorization: `Bearer ${key}` }),
        ...(json && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: json ? JSON.stringify(body) : (body as string) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

/** The one error shape: `{ error: { code, message, field? } }`, with nothing else. */
export function expectError(response: RestResponse, status: number, code: string, field?: string) {
  expect({ status: response.status, body: response.body }).toStrictEqual({
    status,
    body: { error: { code, message: expect.any(String), ...(field !== undefined && { field }) } },
  });
  expect(response.body.error.message.length).toBeGreaterThan(0);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
}

const exec = promisify(execFile);

/**
 * Runs a curl command from the guide with bash, after replacing its placeholders (host, key, ids), and reads the
 * answer. Only `-sS -w` is appended, to get the status code.
 */
export async function runCurl(command: string, replacements: Record<string, string>) {
  let line = command;
  for (const [placeholder, value] of Object.entries(replacements)) line = line.replaceAll(placeholder, value);
  const { stdout } = await exec('bash', ['-c', `${line} -sS -w '\\n%{http_code}'`]);
  const split = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, split);
  return { status: Number(stdout.slice(split + 1)), text, body: text ? JSON.parse(text) : undefined };
}

export const SECOND_PRECISION_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Where most REST test files start: `startFixture`'s receiver, service and project, and a REST client. */
export async function startRestFixture(env: Record<string, string> = {}) {
  const fixture = await startFixture(env);
  return { ...fixture, rest: restClient(fixture.service.httpUrl) };
}
