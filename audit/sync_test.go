package audit

import (
	"errors"
	"log/slog"
	"testing"
)

func TestSyncRecord(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantWritten int
		wantLogged  int
	}{
		{"written at once", nil, 1, 0},
		{"failure logged", errors.New("disk I/O error"), 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &fakeAppender{}
			if tc.err != nil {
				a.errs = []error{tc.err}
			}
			logs := &logRecorder{}
			Sync{A: a, Logger: slog.New(logs)}.Record(t.Context(), event(0))

			got := a.written()
			if len(got) != tc.wantWritten {
				t.Fatalf("got %d events written, want %d", len(got), tc.wantWritten)
			}
			if len(got) == 1 && got[0].Time.IsZero() {
				t.Error("got a zero Time, want it set to now")
			}
			if got := len(logs.attrs("audit append failed, event dropped")); got != tc.wantLogged {
				t.Errorf("got %d errors logged, want %d", got, tc.wantLogged)
			}
		})
	}
}
