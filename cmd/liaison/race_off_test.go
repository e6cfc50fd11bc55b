//go:build !race

package main

// raceEnabled reports whether the test binary has the race detector.
const raceEnabled = false
