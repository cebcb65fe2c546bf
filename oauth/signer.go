package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/store"
)

// signingAlg is the algorithm of skillgate's access tokens: ES256 keys are
// small and fast to make, and every JWT library verifies them.
const signingAlg = "ES256"

// keyReload bounds how stale the signer's view of the stored keys may be,
// and how often a token naming an unknown kid (another replica rotated)
// may cause a reload.
const keyReload = 10 * time.Second

// Signer signs access tokens with the newest stored key, makes a new key
// when the newest is older than the rotation period, and publishes every
// key whose tokens may still be alive. Replicas share the keys through the
// store.
type Signer struct {
	store    store.OAuth
	rotation time.Duration
	tokenTTL time.Duration
	now      func() time.Time

	mu       sync.Mutex
	keys     []signingKey // newest first
	loadedAt time.Time
}

type signingKey struct {
	id        string
	priv      *ecdsa.PrivateKey
	createdAt time.Time
	retiresAt time.Time
}

func newSigner(s store.OAuth, rotation, tokenTTL time.Duration, now func() time.Time) *Signer {
	return &Signer{store: s, rotation: rotation, tokenTTL: tokenTTL, now: now}
}

// Sign returns claims as a compact JWT signed by the current key, with
// kid and typ "at+jwt" (RFC 9068) in its header.
func (g *Signer) Sign(ctx context.Context, claims jwt.Claims) (string, error) {
	k, err := g.current(ctx)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = k.id
	t.Header["typ"] = "at+jwt"
	signed, err := t.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return signed, nil
}

// Ready makes sure a key to sign with exists (making the first one, or
// rotating a due one), so that the JWKS is never empty once the server
// answers.
func (g *Signer) Ready(ctx context.Context) error {
	_, err := g.current(ctx)
	return err
}

// PublicKey returns the public key named kid, reloading the stored keys
// (at most once per keyReload) when it is not known: another replica may
// have rotated.
func (g *Signer) PublicKey(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		for _, k := range g.keys {
			if k.id == kid {
				return &k.priv.PublicKey, nil
			}
		}
		if attempt == 0 && g.now().Sub(g.loadedAt) >= keyReload {
			if err := g.loadLocked(ctx); err != nil {
				return nil, err
			}
		}
	}
	return nil, errUnknownKey
}

var (
	errUnknownKey = errors.New("unknown signing key")
	// errKeyStore marks a failure to read the stored keys.
	errKeyStore = errors.New("signing keys unavailable")
)

// PublicKeys returns the JWK set of every key whose tokens may still be
// alive, for /.well-known/jwks.json.
func (g *Signer) PublicKeys(ctx context.Context) (jose.JSONWebKeySet, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.freshLocked(ctx); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(g.keys))}
	for _, k := range g.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.id, Algorithm: signingAlg, Use: "sig"})
	}
	return set, nil
}

// current returns the key to sign with, making one when there is none or
// the newest is due for rotation.
func (g *Signer) current(ctx context.Context) (signingKey, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.freshLocked(ctx); err != nil {
		return signingKey{}, err
	}
	now := g.now()
	if len(g.keys) > 0 && now.Sub(g.keys[0].createdAt) < g.rotation {
		return g.keys[0], nil
	}
	if err := g.rotateLocked(ctx, now); err != nil {
		return signingKey{}, err
	}
	if len(g.keys) == 0 {
		return signingKey{}, errors.New("no signing key after rotation")
	}
	return g.keys[0], nil
}

// rotateLocked makes a new key unless another replica has just made one,
// and reloads.
func (g *Signer) rotateLocked(ctx context.Context, now time.Time) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("encode signing key: %w", err)
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return err
	}
	k := store.SigningKey{ID: kid, Algorithm: signingAlg, PrivateKey: der, CreatedAt: now}
	// Old keys stay published for a token lifetime, plus a margin for
	// clock skew between replicas.
	if _, err := g.store.AddSigningKey(ctx, k, now.Add(-g.rotation), g.tokenTTL+time.Minute); err != nil {
		return fmt.Errorf("store signing key: %w", err)
	}
	return g.loadLocked(ctx)
}

// freshLocked reloads the keys when the cached view is older than
// keyReload.
func (g *Signer) freshLocked(ctx context.Context) error {
	if len(g.keys) > 0 && g.now().Sub(g.loadedAt) < keyReload {
		return nil
	}
	return g.loadLocked(ctx)
}

func (g *Signer) loadLocked(ctx context.Context) error {
	now := g.now()
	stored, err := g.store.SigningKeys(ctx, now)
	if err != nil {
		return fmt.Errorf("%w: load: %w", errKeyStore, err)
	}
	keys := make([]signingKey, 0, len(stored))
	for _, sk := range stored {
		parsed, err := x509.ParsePKCS8PrivateKey(sk.PrivateKey)
		if err != nil {
			return fmt.Errorf("signing key %s: %w", sk.ID, err)
		}
		priv, ok := parsed.(*ecdsa.PrivateKey)
		if !ok || sk.Algorithm != signingAlg {
			return fmt.Errorf("signing key %s: not an %s key", sk.ID, signingAlg)
		}
		keys = append(keys, signingKey{id: sk.ID, priv: priv, createdAt: sk.CreatedAt, retiresAt: sk.RetiresAt})
	}
	g.keys, g.loadedAt = keys, now
	return nil
}

// thumbprint is the RFC 7638 JWK thumbprint of pub, base64url: the kid.
func thumbprint(pub *ecdsa.PublicKey) (string, error) {
	sum, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
