// Package fibers provides stackful coroutines (fibers) with two backends.
package fibers
