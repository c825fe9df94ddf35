// One delivery handed to a listener: POSTed to `--forward-to` exactly as the service's worker POSTs to an HTTP
// destination (the same client code: src/delivery/sending/http-client.ts, the same headers and body, the same
// 64 KiB cap on the answer), within the time the service gives (`timeoutMs`), then reported back, where the service
// records it as the attempt. The forward target is the developer's own: no SSRF guard applies on this side.
import { operations as op, type WebhooksClient } from '../../../client/src/index.js';
import { unwrap } from '../../../client/src/errors.js';
import { DestinationPolicy } from '../../delivery/sending/destination-policy.js';
import { createDeliveryClient, postJson, type DeliveryClient, type PostOutcome } from '../../delivery/sending/http-client.js';
import { LISTENER_ERROR_KINDS, type ListenerErrorKind } from '../../delivery/listening/relay.js';

export type ListenerMessage = op.ListenSubscription['listen'];
export type ListenerRequest = Extract<ListenerMessage, { __typename: 'ListenerRequest' }>;

/** Every address: the listener forwards where its user says, on the user's own machine or network. */
export const forwardingClient = (): DeliveryClient => createDeliveryClient(new DestinationPolicy(['0.0.0.0/0', '::/0']));

const listenerErrorKind = (kind: string): ListenerErrorKind =>
  (LISTENER_ERROR_KINDS as readonly string[]).includes(kind) ? (kind as ListenerErrorKind) : 'NETWORK_ERROR';

/** The report of an outcome: the answer, or (no status) why there was none. */
export function reportOf(requestId: string, outcome: PostOutcome): op.ListenerResultInput {
  const { durationMs, status } = outcome;
  if (status === null) {
    const error = outcome.error!;
    return { requestId, durationMs, error: { kind: listenerErrorKind(error.kind), message: error.message } };
  }
  return { requestId, durationMs, status, headers: outcome.headers, body: outcome.body, bodyTruncated: outcome.bodyTruncated };
}

/** `200  batch.progress  evt_…  12 ms`, or `ERR` and the reason when the local receiver did not answer. */
export function deliveryLine(request: ListenerRequest, outcome: PostOutcome, note = ''): string {
  const status = outcome.status === null ? 'ERR' : String(outcome.status);
  const reason = outcome.status === null ? `  ${outcome.error!.message}` : '';
  return `${status}  ${request.eventType}  ${request.eventId}  ${outcome.durationMs} ms${reason}${note}`;
}

/** Forwards one request and reports it; resolves to the terminal line. Never throws: a failed report is noted. */
export async function forward(
  client: WebhooksClient,
  http: DeliveryClient,
  forwardTo: string,
  request: ListenerRequest,
): Promise<string> {
  const headers = request.headers as Record<string, string>;
  const outcome = await postJson(http, forwardTo, headers, request.body, request.timeoutMs);
  try {
    unwrap((await client.request(op.ReportListenerResultDocument, { input: reportOf(request.id, outcome) })).reportListenerResult);
    return deliveryLine(request, outcome);
  } catch (error) {
    return deliveryLine(request, outcome, `  (not recorded: ${(error as Error).message})`);
  }
}
