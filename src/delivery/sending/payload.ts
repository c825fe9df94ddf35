// The body every receiver gets, exactly the spec's shape.

/** ISO 8601 UTC to the second, as in the spec (`2024-01-15T10:30:00Z`). */
export const wireTimestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function deliveryBody(event: { id: string; type: string; timestamp: Date; data: unknown }, retryCount: number) {
  return JSON.stringify({
    event_id: event.id,
    event_type: event.type,
    timestamp: wireTimestamp(event.timestamp),
    data: event.data,
    retry_count: retryCount,
  });
}
