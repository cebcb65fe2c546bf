package oauth

import (
	"context"
	"testing"
)

// BenchmarkVerifyAccessToken measures what a request with one of
// skillgate's own tokens pays, against a real SQLite file: "full" is the
// ES256 signature, the grant read and the linked key's recheck; "cached"
// is a token verified before, checked against the keys version.
func BenchmarkVerifyAccessToken(b *testing.B) {
	for _, tc := range []struct {
		name string
		mods []func(*Options)
	}{
		{"full", []func(*Options){func(o *Options) { o.Versions = nil }}},
		{"cached", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ts := newTestServer(b, tc.mods...)
			c := ts.publicClient(b)
			tokens := ts.redeem(b, c, ts.login(b, login{Client: c}))
			v := ts.Verifier()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tokens.AccessToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
