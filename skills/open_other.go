//go:build !unix

package skills

import "os"

// openReadFlags is plain O_RDONLY where O_NONBLOCK does not exist.
const openReadFlags = os.O_RDONLY
