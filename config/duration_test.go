package config

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDurationUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    time.Duration
		wantErr string
	}{
		{name: "seconds", yaml: "d: 30s", want: 30 * time.Second},
		{name: "minutes", yaml: "d: 5m", want: 5 * time.Minute},
		{name: "compound", yaml: "d: 1h30m", want: 90 * time.Minute},
		{name: "quoted", yaml: `d: "2s"`, want: 2 * time.Second},
		{name: "zero with unit", yaml: "d: 0s", want: 0},
		{name: "negative", yaml: "d: -5s", want: -5 * time.Second},
		{name: "null", yaml: "d: ~", want: 0},
		{name: "bare integer", yaml: "d: 30", wantErr: "needs a unit"},
		{name: "bare zero", yaml: "d: 0", wantErr: "needs a unit"},
		{name: "bare float", yaml: "d: 1.5", wantErr: "needs a unit"},
		{name: "quoted bare integer", yaml: `d: "30"`, wantErr: "needs a unit"},
		{name: "garbage", yaml: "d: soon", wantErr: "must be a duration"},
		{name: "list", yaml: "d: [1s]", wantErr: "must be a duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				D Duration `yaml:"d"`
			}
			err := yaml.Unmarshal([]byte(tc.yaml), &v)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := v.D.Std(); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDurationMarshal(t *testing.T) {
	out, err := yaml.Marshal(map[string]Duration{"d": Duration(90 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "d: 1m30s\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
