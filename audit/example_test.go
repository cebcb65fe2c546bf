package audit_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/store"
)

// printer is an Appender that prints what it is given.
type printer struct{}

func (printer) AppendAudit(_ context.Context, events []store.AuditEvent) error {
	for _, e := range events {
		fmt.Println(e.Action, e.Target, e.Result)
	}
	return nil
}

func ExampleLog() {
	ctx := context.Background()
	l := audit.NewLog(printer{}, slog.Default())
	l.Record(ctx, store.AuditEvent{Action: "key.create", Target: "key-1", Result: store.ResultOK})
	l.Record(ctx, store.AuditEvent{Action: "tool.call", Target: "search", Result: store.ResultDenied})
	// Close flushes the queue: call it at shutdown, after the server has
	// stopped taking requests.
	if err := l.Close(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", l.Stats())
	// Output:
	// key.create key-1 ok
	// tool.call search denied
	// {Queued:0 Dropped:0 Written:2}
}
