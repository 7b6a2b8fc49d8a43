package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/corofy/corofy/transform"
)

// Temporary files. A file is written to a temporary file in its directory,
// then renamed over the file: the file is the old one or the new one,
// never a partial one. The temporary files of a run are removed when it
// fails, when a signal ends it, and, after a SIGKILL no process can catch,
// by a later run that finds them stale.
//
// The temporary files corofy writes its outputs to are named
// .corofy-PID-RANDOM.go.tmp, where PID is the process writing them. A run
// that writes to a directory first removes the files of that name there
// whose process is gone and that were last modified more than
// staleTempAge ago. A live run's temporary file exists for the moment
// between its write and its rename: the age keeps one that a run on
// another machine (a network file system) or in another process namespace
// (a container) is writing, whose PID means nothing here; the process
// check keeps one of a run stopped on this machine (^Z) however old. A
// file whose process cannot be checked is kept.

// staleTempAge is how long ago a temporary file of a process that is gone
// must have been modified for a run to remove it.
const staleTempAge = 10 * time.Minute

// tempName matches the temporary files of outputs, and holds the PID.
var tempName = regexp.MustCompile(`^\.corofy-([0-9]+)-[0-9]+\.go\.tmp$`)

// overlayName matches the directories of the files the go command reads
// in place of a package's Go files while it lists the package (see
// transform.RemoveTemps), in the temporary directory, and holds the PID.
var overlayName = regexp.MustCompile(`^corofy-overlay-([0-9]+)-[0-9]+$`)

// temps holds the temporary files this process has made and not yet
// renamed or removed. The lock is held while one is made or renamed, and
// for good by the signal handler, which removes them.
var temps = struct {
	sync.Mutex
	names   map[string]bool
	cleaned map[string]bool // directories whose stale files are removed
}{names: map[string]bool{}, cleaned: map[string]bool{}}

// createTemp creates a temporary file in dir named with pattern (as
// os.CreateTemp names it), which a signal that ends the process removes.
func createTemp(dir, pattern string) (*os.File, error) {
	temps.Lock()
	defer temps.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	temps.names[f.Name()] = true
	return f, nil
}

// createOutputTemp creates the temporary file of an output in dir, having
// removed the stale temporary files there.
func createOutputTemp(dir string) (*os.File, error) {
	removeStaleTemps(dir)
	return createTemp(dir, fmt.Sprintf(".corofy-%d-*.go.tmp", os.Getpid()))
}

// fillTemp writes src to the temporary file tmp, flushing it to disk
// first when sync is set, closes it and gives it the permissions perm:
// it is then ready for renameTemp.
func fillTemp(tmp *os.File, src []byte, sync bool, perm os.FileMode) error {
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		return err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Chmod(tmp.Name(), perm)
}

// renameTemp renames the temporary file tmp to path.
func renameTemp(tmp, path string) error {
	temps.Lock()
	defer temps.Unlock()
	delete(temps.names, tmp)
	return os.Rename(tmp, path)
}

// removeTemp removes the temporary file tmp (a no-op after renameTemp).
func removeTemp(tmp string) {
	temps.Lock()
	defer temps.Unlock()
	if temps.names[tmp] {
		delete(temps.names, tmp)
		os.Remove(tmp)
	}
}

// removeStaleTemps removes, once a run, the stale temporary files of
// outputs in dir: those of processes that are gone, modified more than
// staleTempAge ago.
func removeStaleTemps(dir string) {
	temps.Lock()
	done := temps.cleaned[dir]
	temps.cleaned[dir] = true
	temps.Unlock()
	if !done {
		removeStale(dir, tempName, false)
	}
}

// removeStaleOverlays removes the stale overlay directories in the
// temporary directory, as removeStaleTemps removes stale temporary files.
func removeStaleOverlays() {
	removeStale(os.TempDir(), overlayName, true)
}

// removeStale removes the entries of dir whose names re matches, regular
// files (or directories, with their files), whose process (re's first
// group) is gone and that were modified more than staleTempAge ago.
func removeStale(dir string, re *regexp.Regexp, dirs bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		m := re.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() != dirs || !dirs && !e.Type().IsRegular() {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid == os.Getpid() {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < staleTempAge || !processGone(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// handleSignals makes a signal that ends the process (SIGINT, SIGTERM,
// SIGHUP, SIGQUIT) remove its temporary files first. The process then
// ends as the signal would have ended it, so that a shell sees it killed
// by the signal; SIGQUIT, whose Go default is a goroutine dump, ends it
// with status 131 (128+3), as a shell reports it. A signal the process was
// started ignoring (nohup's SIGHUP) stays ignored.
func handleSignals() {
	var sigs []os.Signal
	for _, sig := range exitSignals {
		if !signal.Ignored(sig) {
			sigs = append(sigs, sig)
		}
	}
	if len(sigs) == 0 {
		return // Notify with no signal would take them all
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, sigs...)
	go func() {
		sig := <-c
		temps.Lock() // for good: nothing is created or renamed after this
		for name := range temps.names {
			os.Remove(name)
		}
		transform.RemoveTemps()
		code := signalStatus(sig)
		if !isQuit(sig) {
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil && p.Signal(sig) == nil {
				time.Sleep(time.Second) // the signal ends the process
			}
		}
		os.Exit(code)
	}()
}

// testPause is the test hook that stops a run between writing a temporary
// file and renaming it: with COROFY_TESTHOOK_BEFORE_RENAME set to a file
// name, the run creates that file and waits a minute, for a test to signal
// it.
func testPause() {
	if ready := os.Getenv("COROFY_TESTHOOK_BEFORE_RENAME"); ready != "" {
		os.WriteFile(ready, nil, 0o644)
		time.Sleep(time.Minute)
	}
}
