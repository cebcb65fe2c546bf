package apikey

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// Page sizes of List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ListParams filter and page a listing. Zero fields do not filter.
type ListParams struct {
	User     string
	Org      string
	ParentID string
	State    store.KeyState
	// Cursor is NextCursor of the previous page.
	Cursor string
	// Limit is the page size; 0 means DefaultPageSize.
	Limit int
}

// Page is one page of keys.
type Page struct {
	Keys []View `json:"data"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

// List returns the keys the actor sees that p selects, oldest first.
func (m *Manager) List(ctx context.Context, a Actor, p ListParams) (Page, error) {
	if err := a.need(auth.ScopeKeysRead); err != nil {
		return Page{}, err
	}
	switch p.State {
	case "", store.StateActive, store.StateDisabled, store.StateExpired, store.StateRevoked:
	default:
		return Page{}, invalidf("state must be one of active, disabled, expired, revoked")
	}
	limit := p.Limit
	switch {
	case limit == 0:
		limit = DefaultPageSize
	case limit < 1 || limit > MaxPageSize:
		return Page{}, invalidf("limit must be between 1 and %d", MaxPageSize)
	}
	now := m.clock()
	f := store.KeyFilter{User: p.User, Org: p.Org, ParentID: p.ParentID, State: p.State, Now: now, Limit: limit + 1}
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor)
		if err != nil {
			return Page{}, err
		}
		f.After = c
	}
	page := Page{Keys: []View{}}
	if a.visibility(&f) {
		return page, nil
	}
	keys, err := m.store.ListKeys(ctx, f)
	if err != nil {
		return Page{}, fmt.Errorf("list keys: %w", err)
	}
	if len(keys) > limit {
		keys = keys[:limit]
		page.NextCursor = encodeCursor(store.CursorOf(keys[limit-1]))
	}
	for _, k := range keys {
		page.Keys = append(page.Keys, NewView(k, nil, now))
	}
	return page, nil
}

// A cursor is opaque to clients: base64url of "<unix micros>.<id>".
func encodeCursor(c *store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + c.ID))
}

func decodeCursor(s string) (*store.Cursor, error) {
	bad := &Error{Kind: KindInvalid, Message: "cursor is not valid", Hint: "Pass next_cursor from the previous page unchanged."}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, bad
	}
	return &store.Cursor{CreatedAt: time.UnixMicro(n).UTC(), ID: id}, nil
}
