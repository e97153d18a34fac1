package aggregate

import "syscall"

// mapPopulate asks mmap to map every page up front.
const mapPopulate = syscall.MAP_POPULATE
