//go:build unix && !linux

package aggregate

// mapPopulate is Linux only; elsewhere pages are mapped on first touch.
const mapPopulate = 0
