// Package audit records audit events without making requests wait on the
// disk. Log queues each event in memory and one background goroutine
// appends them to storage in batches; when the queue is full, events are
// dropped, counted and reported in the log rather than blocking the
// request, and Close flushes what is queued at shutdown. Sync appends each
// event at once instead, for short-lived processes such as the CLI that
// exit right after recording. Both have the method Record(ctx, event),
// which is what their consumers declare; neither returns an error, because
// auditing must not change the outcome of the action it records.
package audit
