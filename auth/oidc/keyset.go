package oidc

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/skillgate/skillgate/auth"
)

// maxJWKSBytes bounds a JWKS document; real ones are a few KiB.
const maxJWKSBytes = 1 << 20

// keySet holds an issuer's signing keys, fetched from its jwks_uri. It
// refetches them when a token names a key it does not hold (the issuer has
// rotated) or when they are older than maxAge, but never more often than
// minInterval: a flood of tokens with made-up key ids costs the issuer at
// most one request per interval. It implements go-oidc's KeySet.
type keySet struct {
	url         string
	client      *http.Client
	algs        []jose.SignatureAlgorithm
	minInterval time.Duration
	maxAge      time.Duration
	now         func() time.Time
	onFetch     func(err error)

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetched   time.Time     // last successful fetch; zero before the first
	attempted time.Time     // start of the last fetch, successful or not
	lastErr   error         // outcome of the last fetch
	inflight  chan struct{} // closed when the running fetch ends; nil if none
	// generation counts the changes of keys: a fetch that brings the same
	// keys leaves it alone. Tokens verified under one generation are
	// cached for it (see Provider.Verify); a key withdrawn or replaced
	// makes them misses.
	generation uint64
}

// version returns the generation of the keys held.
func (s *keySet) version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.generation
}

// setKeys holds keys, fetched now, and counts a change. s.mu must be held.
func (s *keySet) setKeys(keys []jose.JSONWebKey) {
	if !sameKeys(s.keys, keys) {
		s.generation++
	}
	s.keys, s.fetched = keys, s.now()
}

// sameKeys reports whether a and b hold the same keys (by id, algorithm
// and RFC 7638 thumbprint), in any order.
func sameKeys(a, b []jose.JSONWebKey) bool {
	if len(a) != len(b) {
		return false
	}
	ids := func(keys []jose.JSONWebKey) []string {
		out := make([]string, 0, len(keys))
		for _, k := range keys {
			tp, err := k.Thumbprint(crypto.SHA256)
			if err != nil {
				return nil // unknown: count as changed
			}
			out = append(out, k.KeyID+"|"+k.Algorithm+"|"+string(tp))
		}
		slices.Sort(out)
		return out
	}
	ia, ib := ids(a), ids(b)
	return ia != nil && ib != nil && slices.Equal(ia, ib)
}

// VerifySignature returns the payload of token if one of the issuer's keys
// signed it with an allowed algorithm. Its errors wrap auth errors worded
// for the caller.
func (s *keySet) VerifySignature(ctx context.Context, token string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(token, s.algs)
	if err != nil {
		return nil, fmt.Errorf("%w: the token is not a JWS signed with an accepted algorithm (%v)", auth.ErrInvalidToken, algNames(s.algs))
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: the token must carry exactly one signature", auth.ErrInvalidToken)
	}
	header := jws.Signatures[0].Header
	keys, err := s.keysFor(ctx, header.KeyID)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		// A key that names its algorithm is used with that one only (RFC
		// 8725 section 3.1): go-jose would let an RSA key published for
		// RS256 verify PS512 too.
		if keys[i].Algorithm != "" && keys[i].Algorithm != header.Algorithm {
			continue
		}
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("%w: the signature does not verify with the issuer's keys", auth.ErrInvalidToken)
}

// keysFor returns the keys that may have signed a token naming kid (all of
// them when kid is empty). When it holds none, it fetches the set, or waits
// for the fetch under way, if the refresh interval allows. Keys older than
// maxAge are still used while a fresh set is fetched in the background.
func (s *keySet) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	s.mu.Lock()
	now := s.now()
	if keys := matching(s.keys, kid); len(keys) > 0 {
		if now.Sub(s.fetched) >= s.maxAge && s.mayFetch(now) {
			s.startFetch(now)
		}
		s.mu.Unlock()
		return keys, nil
	}
	if !s.mayFetch(now) {
		defer s.mu.Unlock()
		return nil, s.missing(kid)
	}
	done := s.startFetch(now)
	s.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		// The caller gave up (or the server is stopping): a refusal, not
		// a server failure worth an error log.
		return nil, fmt.Errorf("%w: gave up waiting for its signing keys", auth.ErrIssuerUnavailable)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if keys := matching(s.keys, kid); len(keys) > 0 {
		return keys, nil
	}
	return nil, s.missing(kid)
}

// mayFetch reports whether a token may cause a fetch now: one is already
// under way, or the last began at least minInterval ago. s.mu must be held.
func (s *keySet) mayFetch(now time.Time) bool {
	return s.inflight != nil || now.Sub(s.attempted) >= s.minInterval
}

// missing explains why no key was found for kid. s.mu must be held.
func (s *keySet) missing(kid string) error {
	switch {
	case s.fetched.IsZero() || s.lastErr != nil:
		// Either no keys were ever fetched, or the fetch that would have
		// found a newly rotated key failed: the issuer is the problem,
		// not the token.
		return auth.ErrIssuerUnavailable
	case kid == "":
		return fmt.Errorf("%w: the token names no key id and the issuer publishes no usable key", auth.ErrInvalidToken)
	default:
		return fmt.Errorf("%w: the token is signed with a key the issuer does not publish (unknown kid)", auth.ErrInvalidToken)
	}
}

// fetchNow fetches the keys and waits for them; discovery uses it so that
// an issuer counts as reachable only once its keys are in hand.
func (s *keySet) fetchNow(ctx context.Context) error {
	keys, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempted, s.lastErr = s.now(), err
	if err != nil {
		return err
	}
	s.setKeys(keys)
	return nil
}

// startFetch starts a fetch unless one is running and returns a channel
// closed when it ends. s.mu must be held.
func (s *keySet) startFetch(now time.Time) <-chan struct{} {
	if s.inflight != nil {
		return s.inflight
	}
	done := make(chan struct{})
	s.inflight, s.attempted = done, now
	// The fetch is not tied to the request that started it, so a caller
	// that gives up does not waste the work others wait on; the client's
	// timeout bounds it.
	go func() {
		keys, err := s.fetch(context.Background())
		s.mu.Lock()
		if err == nil {
			s.setKeys(keys)
		}
		s.lastErr, s.inflight = err, nil
		s.mu.Unlock()
		close(done)
		if s.onFetch != nil {
			s.onFetch(err)
		}
	}()
	return done
}

// fetch downloads the key set and keeps the keys usable for signatures.
func (s *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks: %s answered %s", s.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read jwks: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("read jwks: larger than %d bytes", maxJWKSBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("parse jwks: %w", err)
	}
	keys := usable(set.Keys)
	if len(keys) == 0 {
		return nil, errors.New("jwks holds no public signing key")
	}
	return keys, nil
}

// usable keeps the public signature keys of a set. Symmetric ("oct") keys
// are dropped: a shared secret has no business in a published key set.
func usable(keys []jose.JSONWebKey) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if _, symmetric := k.Key.([]byte); symmetric || !k.Valid() {
			continue
		}
		// A key published for another algorithm (encryption, HMAC) is no
		// signing key of ours.
		if k.Algorithm != "" && !ValidAlgorithm(k.Algorithm) {
			continue
		}
		out = append(out, k.Public())
	}
	return out
}

// matching returns the keys with the given id, or all keys for "".
func matching(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	for _, k := range keys {
		if k.KeyID == kid {
			return []jose.JSONWebKey{k}
		}
	}
	return nil
}

func algNames(algs []jose.SignatureAlgorithm) []string {
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = string(a)
	}
	return names
}
