package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func jwtWithPayload(payload string) string {
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

func TestUnverifiedIssuer(t *testing.T) {
	tests := []struct {
		name, token, want, wantErr string
	}{
		{"issuer", jwtWithPayload(`{"iss":"https://idp.example","sub":"x"}`), "https://idp.example", ""},
		{"no iss", jwtWithPayload(`{"sub":"x"}`), "", "no iss claim"},
		{"iss not a string", jwtWithPayload(`{"iss":42}`), "", "no iss claim"},
		{"empty iss", jwtWithPayload(`{"iss":""}`), "", "no iss claim"},
		{"payload not JSON", jwtWithPayload(`iss`), "", "not a JSON object"},
		{"payload not an object", jwtWithPayload(`["iss"]`), "", "not a JSON object"},
		{"payload not base64url", "eyJhbGciOiJSUzI1NiJ9.!!!.c2ln", "", "not base64url"},
		{"two parts", "eyJhbGciOiJSUzI1NiJ9.e30", "", "three dot-separated parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnverifiedIssuer(tt.token)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidToken mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("UnverifiedIssuer = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestIssuersRouteByIssuer(t *testing.T) {
	token := jwtWithPayload(`{"iss":"https://a.example"}`)
	a := &recordingVerifier{}
	is := Issuers{"https://a.example": a, "https://b.example": &recordingVerifier{}}
	if _, err := is.Verify(context.Background(), token); !errors.Is(err, ErrUnknownCredential) || a.calls != 1 {
		t.Fatalf("token of a went to a %d times (err %v), want once", a.calls, err)
	}
	// A trailing slash is another issuer; the refusal names it so the
	// mismatch with the configuration can be seen.
	_, err := is.Verify(context.Background(), jwtWithPayload(`{"iss":"https://a.example/"}`))
	if !errors.Is(err, ErrUnknownIssuer) || !strings.Contains(err.Error(), `"https://a.example/"`) {
		t.Fatalf("err = %v, want ErrUnknownIssuer naming the issuer", err)
	}
	long := "https://" + strings.Repeat("x", 500) + "\n"
	_, err = is.Verify(context.Background(), jwtWithPayload(`{"iss":"`+strings.ReplaceAll(long, "\n", `\n`)+`"}`))
	if msg := err.Error(); len(msg) > 200 || strings.Contains(msg, "\n") {
		t.Fatalf("refusal of a long issuer is %d bytes: %q", len(msg), msg)
	}
}
