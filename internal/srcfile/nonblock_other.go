//go:build !unix

package srcfile

const openNonblock = 0
