package hexgrid

import "slices"

func sortCells(c []Cell) { slices.Sort(c) }

func dedupSorted(c []Cell) []Cell { return slices.Compact(c) }
