//go:build unix

package skills

import (
	"os"
	"syscall"
)

// openReadFlags opens files without blocking, so a file swapped for a FIFO
// after Load cannot hang a read; the caller then refuses it as not regular.
const openReadFlags = os.O_RDONLY | syscall.O_NONBLOCK
