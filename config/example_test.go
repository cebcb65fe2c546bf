package config_test

import (
	"fmt"

	"github.com/skillgate/skillgate/config"
)

func ExampleInterpolate() {
	lookupEnv := func(name string) (string, bool) {
		if name == "HOST" {
			return "db.internal", true
		}
		return "", false
	}
	s, err := config.Interpolate("https://${HOST}:${PORT:-443}/$$x", lookupEnv)
	fmt.Println(s, err)
	_, err = config.Interpolate("${API_KEY_ADMIN}", lookupEnv)
	fmt.Println(err)
	// Output:
	// https://db.internal:443/$x <nil>
	// environment variable API_KEY_ADMIN is not set (set it, or write ${API_KEY_ADMIN:-value})
}

func ExampleServer_BaseURL() {
	c := config.Default()
	fmt.Println(c.Server.BaseURL())
	c.Server.Addr = ":9090" // as a --addr flag might
	fmt.Println(c.Server.BaseURL())
	// Output:
	// http://127.0.0.1:8080
	// http://localhost:9090
}
