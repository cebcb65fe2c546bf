package sqlite

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// BenchmarkAppendAudit appends batches of the sizes the audit writer hands
// over (about 80 tool calls per 20 ms linger under the bench's load, up to
// its cap of 256). ns/op is per batch and includes the wait for fsync; the
// CPU the process spent per event is reported beside it, since that is
// what the server pays under load.
func BenchmarkAppendAudit(b *testing.B) {
	for _, batch := range []int{16, 80, 256} {
		b.Run(fmt.Sprint("batch=", batch), func(b *testing.B) {
			db, err := Open(b.Context(), filepath.Join(b.TempDir(), "skillgate.db"))
			if err != nil {
				b.Fatalf("Open: %v", err)
			}
			defer db.Close()
			events := make([]store.AuditEvent, batch)
			for i := range events {
				events[i] = store.AuditEvent{Time: time.Now(), KeyID: "key_bench", Principal: "managed_key|key_bench",
					Action: store.ActionToolCall, Target: "get_skill", Result: store.ResultOK, ClientAddr: "127.0.0.1:1234", Detail: "skill shared/hello"}
			}
			ctx := b.Context()
			start := cpuTime(b)
			for b.Loop() {
				if err := db.AppendAudit(ctx, events); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(batch*b.N), "cpu-µs/event")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
