package apikey

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/auth"
)

func TestStatic(t *testing.T) {
	s, err := NewStatic([]StaticKey{
		{Key: "first-key-0123456789", Name: "first", Roles: []string{"admin"}},
		{Key: "second-key-0123456789", Name: "second", Roles: []string{"viewer"}, User: "bob", Teams: []string{"t"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token string
		wantSubject string
		wantErr     error
	}{
		{"first", "first-key-0123456789", "first", nil},
		{"second", "second-key-0123456789", "second", nil},
		{"prefix of a key", "first-key", "", auth.ErrUnknownCredential},
		{"key plus suffix", "first-key-0123456789x", "", auth.ErrUnknownCredential},
		{"empty", "", "", auth.ErrUnknownCredential},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if p.Subject != tc.wantSubject {
				t.Errorf("subject = %q, want %q", p.Subject, tc.wantSubject)
			}
		})
	}
	p, _ := s.Verify(context.Background(), "second-key-0123456789")
	if p.User != "bob" || p.CredentialID != "static:second" || p.Source != auth.SourceStaticKey {
		t.Errorf("principal = %+v", p)
	}
	if _, err := s.Recheck(context.Background(), p); err != nil {
		t.Errorf("Recheck = %v", err)
	}
}

func TestNewStaticRefuses(t *testing.T) {
	tests := []struct {
		name string
		keys []StaticKey
	}{
		// An empty key must never match an empty credential.
		{"empty key", []StaticKey{{Key: "", Name: "a"}}},
		{"blank key", []StaticKey{{Key: "   ", Name: "a"}}},
		{"no name", []StaticKey{{Key: "k-0123456789abcdef"}}},
		{"duplicate key", []StaticKey{{Key: "k-0123456789abcdef", Name: "a"}, {Key: "k-0123456789abcdef", Name: "b"}}},
		{"duplicate name", []StaticKey{{Key: "k-0123456789abcdef", Name: "a"}, {Key: "j-0123456789abcdef", Name: "a"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStatic(tc.keys)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "0123456789abcdef") {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}
