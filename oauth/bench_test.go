package oauth

import (
	"context"
	"testing"
)

// BenchmarkVerifyAccessToken measures what every request with one of
// skillgate's own tokens pays: the ES256 signature, the grant read and the
// linked key's recheck, against a real SQLite file.
func BenchmarkVerifyAccessToken(b *testing.B) {
	ts := newTestServer(b)
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
}
