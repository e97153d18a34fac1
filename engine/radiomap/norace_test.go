//go:build !race

package radiomap

const raceEnabled = false
