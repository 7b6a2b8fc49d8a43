// Package srcfile reads the files corofy reads: regular files only, and
// source files of a bounded size. A device, a named pipe, a socket or a
// directory in a file's place is refused without reading it, or waiting
// for it: /dev/zero never ends, and opening a named pipe waits for a
// writer.
package srcfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSize is the largest source file corofy reads: 64 MiB. A .gocoro file
// that large is not written by hand, and reading more would only show that
// the input is not what it should be (a stream that never ends).
const MaxSize = 64 << 20

// NotRegularError is the error for a file that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s)", Name(e.Path), Kind(e.Mode))
}

// Kind says what a file of mode m is, in words.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// TooLargeError is the error for a source larger than the limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %s, the most corofy reads of a source file", Name(e.Path), size(e.Limit))
}

func size(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read returns the contents of the source file path, which must be a
// regular file (or a symbolic link to one) of at most MaxSize bytes.
func Read(path string) ([]byte, error) {
	f, info, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() > MaxSize {
		return nil, &TooLargeError{Path: path, Limit: MaxSize}
	}
	return ReadAll(f, path, MaxSize)
}

// ReadAll reads r, named name in errors, to its end: at most limit bytes.
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: name, Limit: limit}
	}
	return data, nil
}

// ReadPrefix returns at most the first n bytes of the file path, which
// must be a regular file, and its size: enough of an existing output to
// compare it with a new one of n bytes, or to read its header.
func ReadPrefix(path string, n int64) ([]byte, int64, error) {
	f, info, err := open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, n))
	return data, info.Size(), err
}

// open opens the regular file path. A file that is not one is refused
// before it is opened (opening a named pipe waits for a writer), and once
// opened (in case it was replaced between): the open does not wait, where
// the system allows that.
func open(path string) (*os.File, fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err = f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// IsNotRegular reports whether err says a file is not a regular file.
func IsNotRegular(err error) bool {
	var e *NotRegularError
	return errors.As(err, &e)
}

// Name returns a file name as messages show it: as it is, or quoted as a
// Go string when it would garble a message or read as another name: when
// it has bytes that are not UTF-8, a character that does not print (a
// newline, a tab, another control character, a space other than U+0020),
// or starts with a double quote.
func Name(name string) string {
	odd := !utf8.ValidString(name) || strings.HasPrefix(name, `"`) || strings.ContainsFunc(name, func(r rune) bool {
		return r != ' ' && !unicode.IsPrint(r)
	})
	if odd {
		return strconv.Quote(name)
	}
	return name
}
