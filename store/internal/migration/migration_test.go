package migration

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"in order", fstest.MapFS{
			"migrations/0002_b.sql": file("B"),
			"migrations/0001_a.sql": file("A"),
			"migrations/README":     file("ignored"),
		}, []int{1, 2}, false},
		{"gap", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/0003_c.sql": file("C"),
		}, nil, true},
		{"duplicate", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/001_b.sql":  file("B"),
		}, nil, true},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": file("A")}, nil, true},
		{"no number", fstest.MapFS{"migrations/init.sql": file("A")}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Load(tc.fsys)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got err %v, want error %v", err, tc.wantErr)
			}
			for i, v := range tc.want {
				if ms[i].Version != v {
					t.Errorf("migration %d: got version %d, want %d", i, ms[i].Version, v)
				}
			}
		})
	}
}
