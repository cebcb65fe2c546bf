package main

import (
	"testing"

	"github.com/skillgate/skillgate/internal/testclients"
)

func TestZZTmpTrace(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	testclients.Run(t, "sdk-header.mjs", map[string]string{"SKILLGATE_URL": ts.baseURL, "SKILLGATE_KEY": testKeys["analyst"]})
	_, key := createKeyOverREST(t, ts, `{"name":"x","roles":["analyst"],"user":"ada"}`)
	testclients.Run(t, "sdk-oauth.mjs", map[string]string{"SKILLGATE_URL": ts.baseURL, "SKILLGATE_KEY": key, "CALLBACK_PORT": "9", "TRANSPORT": "sse"})
	t.Error("deliberate")
}
